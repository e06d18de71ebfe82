package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/eval"
	"github.com/welfare-district/swd/linkage/synth"
)

// MonthsConfig describes issue 16's measurement of an incremental linkage
// over synthetic months, run through the swd binary: swd synth --months,
// swd encode of every partner's export of every month with one secret,
// swd link --state month after month and, beside it, a full swd link of
// the same month; both scored by swd eval against the month's truth, and
// the stable ids compared from month to month.
type MonthsConfig struct {
	Bin        string  // the swd binary
	Dir        string  // work directory (created; kept); "": a temporary one, removed
	Schema     string  // the encoding schema (docs/examples/synth/schema.yaml)
	Months     int     // synthetic months
	Households int     // households of the first month
	Corruption string  // swd synth --corruption
	Seed       uint64  // swd synth --seed
	Changes    float64 // swd synth --changes (0: the default rates)
	Full       bool    // also a full relink of every month
	// Reuse keeps the secret, the months and the encoded files a previous
	// run left in Dir (the same Months, Households, Corruption, Seed and
	// Changes), so that another swd binary links exactly the same files.
	Reuse bool
	// Log receives every command as it is run (nil: none).
	Log io.Writer
}

// MonthFigures is one month of RunMonths.
type MonthFigures struct {
	Period  string `json:"period"`
	Records int    `json:"records"`
	// Changed counts the month's records whose export row is new or
	// differs from the month before (synth.ChangedRecords).
	Changed int `json:"changed"`
	// Incremental and Full are the person and household pairwise F1 of
	// the state's links file and of a full relink of the month.
	Incremental F1Pair  `json:"incremental"`
	Full        *F1Pair `json:"full,omitempty"`
	// Stability compares the state's ids with the month before's over the
	// true persons and households whose records did not change (from the
	// second month).
	Stability *eval.IDStability `json:"stability,omitempty"`
	// Wall and CPU (user + system) seconds of the two swd link processes.
	IncrementalSeconds    float64 `json:"incremental_seconds"`
	IncrementalCPUSeconds float64 `json:"incremental_cpu_seconds"`
	FullSeconds           float64 `json:"full_seconds,omitempty"`
	FullCPUSeconds        float64 `json:"full_cpu_seconds,omitempty"`
}

// F1Pair is a links file's person and household pairwise F1.
type F1Pair struct {
	Person    float64 `json:"person"`
	Household float64 `json:"household"`
}

// MonthsResult is what bench/months prints.
type MonthsResult struct {
	Months     int            `json:"months"`
	Households int            `json:"households"`
	Corruption string         `json:"corruption"`
	Seed       uint64         `json:"seed"`
	Figures    []MonthFigures `json:"figures"`
	// Worst figures over the months: the least share of unchanged persons
	// and households keeping their id, and the largest drop of F1 below
	// the full relink's (negative: the incremental run did better).
	MinPersonKept    float64 `json:"min_person_kept"`
	MinHouseholdKept float64 `json:"min_household_kept"`
	MaxPersonDrop    float64 `json:"max_person_f1_drop"`
	MaxHouseholdDrop float64 `json:"max_household_f1_drop"`
}

// RunMonths runs the measurement.
func RunMonths(ctx context.Context, cfg MonthsConfig) (MonthsResult, error) {
	if cfg.Months < 2 {
		return MonthsResult{}, base.Usagef("months: at least 2 months")
	}
	dir := cfg.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "swd-months-*")
		if err != nil {
			return MonthsResult{}, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return MonthsResult{}, err
	}
	run := func(args ...string) (wall, cpu float64, out []byte, err error) {
		if cfg.Log != nil {
			fmt.Fprintln(cfg.Log, "+ swd", strings.Join(args, " "))
		}
		cmd := exec.CommandContext(ctx, cfg.Bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		t0 := time.Now()
		err = cmd.Run()
		wall = time.Since(t0).Seconds()
		if err != nil {
			return 0, 0, nil, fmt.Errorf("months: swd %s: %w\n%s", args[0], err, stderr.Bytes())
		}
		cpu = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		return wall, cpu, stdout.Bytes(), nil
	}
	secret := filepath.Join(dir, "secret")
	synthDir := filepath.Join(dir, "synth")
	if !cfg.Reuse {
		os.Remove(secret)
		if _, _, _, err := run("keygen", "-q", "--out", secret); err != nil {
			return MonthsResult{}, err
		}
		if err := os.RemoveAll(synthDir); err != nil {
			return MonthsResult{}, err
		}
		args := []string{"synth", "-q", "--months", strconv.Itoa(cfg.Months), "--households", strconv.Itoa(cfg.Households),
			"--corruption", cfg.Corruption, "--seed", strconv.FormatUint(cfg.Seed, 10), "--out", synthDir}
		if cfg.Changes != 0 {
			args = append(args, "--changes", strconv.FormatFloat(cfg.Changes, 'g', -1, 64))
		}
		if _, _, _, err := run(args...); err != nil {
			return MonthsResult{}, err
		}
	}
	state := filepath.Join(dir, "state")
	if err := os.RemoveAll(state); err != nil {
		return MonthsResult{}, err
	}
	res := MonthsResult{Months: cfg.Months, Households: cfg.Households, Corruption: cfg.Corruption, Seed: cfg.Seed,
		MinPersonKept: 1, MinHouseholdKept: 1}
	periods, err := os.ReadDir(synthDir)
	if err != nil {
		return res, err
	}
	score := func(links, truth string) (F1Pair, error) {
		_, _, out, err := run("eval", "-q", "--json", "--links", links, "--truth", truth)
		if err != nil {
			return F1Pair{}, err
		}
		var rep eval.Report
		if err := json.Unmarshal(out, &rep); err != nil {
			return F1Pair{}, fmt.Errorf("months: swd eval: %w", err)
		}
		f := F1Pair{Person: rep.Person.Pairs.F1}
		if rep.Household != nil {
			f.Household = rep.Household.Pairs.F1
		}
		return f, nil
	}
	var prevLinks []cluster.Link
	var prevTruth *eval.Truth
	for k, e := range periods {
		period := e.Name()
		mdir := filepath.Join(synthDir, period)
		encDir := filepath.Join(dir, "enc", period)
		if err := os.MkdirAll(encDir, 0o755); err != nil {
			return res, err
		}
		truthPath := filepath.Join(mdir, "truth.csv")
		partners, err := filepath.Glob(filepath.Join(mdir, "*.csv"))
		if err != nil {
			return res, err
		}
		var inputs []string
		for _, in := range partners {
			p := strings.TrimSuffix(filepath.Base(in), ".csv")
			if p == "truth" || p == "changes" {
				continue
			}
			out := filepath.Join(encDir, p+".swd.parquet")
			inputs = append(inputs, out)
			if _, err := os.Stat(out); err == nil && cfg.Reuse {
				continue
			}
			os.Remove(out)
			os.Remove(strings.TrimSuffix(out, ".parquet") + ".rejects.csv")
			if _, _, _, err := run("encode", "-q", "--schema", cfg.Schema, "--secret", secret, "--partner", p, "--in", in, "--out", out); err != nil {
				return res, err
			}
		}
		fig := MonthFigures{Period: period}
		inc := filepath.Join(dir, "inc-"+period+".parquet")
		removeOutputs(inc)
		fig.IncrementalSeconds, fig.IncrementalCPUSeconds, _, err = run(append([]string{"link", "-q", "--state", state, "--period", period, "--out", inc}, inputs...)...)
		if err != nil {
			return res, err
		}
		if fig.Incremental, err = score(inc, truthPath); err != nil {
			return res, err
		}
		if cfg.Full {
			full := filepath.Join(dir, "full-"+period+".parquet")
			removeOutputs(full)
			fig.FullSeconds, fig.FullCPUSeconds, _, err = run(append([]string{"link", "-q", "--out", full}, inputs...)...)
			if err != nil {
				return res, err
			}
			f, err := score(full, truthPath)
			if err != nil {
				return res, err
			}
			fig.Full = &f
			dp, dh := f.Person-fig.Incremental.Person, f.Household-fig.Incremental.Household
			if k > 0 {
				dp, dh = max(dp, res.MaxPersonDrop), max(dh, res.MaxHouseholdDrop)
			}
			res.MaxPersonDrop, res.MaxHouseholdDrop = dp, dh
		}
		links, _, err := linksfile.ReadAny(inc)
		if err != nil {
			return res, err
		}
		fig.Records = len(links)
		fh, err := os.Open(truthPath)
		if err != nil {
			return res, err
		}
		truth, err := eval.ReadCSV(fh, truthPath)
		fh.Close()
		if err != nil {
			return res, err
		}
		if k > 0 {
			changed, err := synth.ChangedRecords(filepath.Join(synthDir, periods[k-1].Name()), mdir)
			if err != nil {
				return res, err
			}
			fig.Changed = len(changed)
			st := eval.Stability(prevLinks, links, prevTruth, truth, func(r cluster.RecordKey) bool {
				return changed[[2]string{r.Partner, r.RecordID}]
			})
			fig.Stability = &st
			res.MinPersonKept = min(res.MinPersonKept, st.Person.Share)
			res.MinHouseholdKept = min(res.MinHouseholdKept, st.Household.Share)
		} else {
			fig.Changed = len(links)
		}
		prevLinks, prevTruth = links, truth
		res.Figures = append(res.Figures, fig)
		if cfg.Log != nil {
			fig.writeRow(cfg.Log)
		}
	}
	return res, nil
}

// removeOutputs removes a links file and the linkage report written
// beside it by an earlier run, so that swd link can write them again.
func removeOutputs(links string) {
	base := strings.TrimSuffix(links, ".parquet")
	for _, p := range []string{links, base + ".report.html", base + ".report.json"} {
		os.Remove(p)
	}
}

const monthsHeader = "period   records changed | person F1: inc  full   inc-full | household F1: inc  full   inc-full | persons kept / unchanged | households kept / unchanged | link s: inc   full  ratio\n"

func (f MonthFigures) writeRow(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %7d %7d |", f.Period, f.Records, f.Changed)
	if full := f.Full; full != nil {
		fmt.Fprintf(&b, " %14.4f %.4f %+.4f  |", f.Incremental.Person, full.Person, f.Incremental.Person-full.Person)
		fmt.Fprintf(&b, " %17.4f %.4f %+.4f  |", f.Incremental.Household, full.Household, f.Incremental.Household-full.Household)
	} else {
		fmt.Fprintf(&b, " %14.4f %6s %7s  |", f.Incremental.Person, "-", "-")
		fmt.Fprintf(&b, " %17.4f %6s %7s  |", f.Incremental.Household, "-", "-")
	}
	if s := f.Stability; s != nil {
		fmt.Fprintf(&b, " %6d / %6d (%.5f) | %9d / %6d (%.5f) |", s.Person.Kept, s.Person.Unchanged, s.Person.Share,
			s.Household.Kept, s.Household.Unchanged, s.Household.Share)
	} else {
		fmt.Fprintf(&b, " %-24s | %-27s |", "", "")
	}
	fmt.Fprintf(&b, " %11.2f %6.2f", f.IncrementalSeconds, f.FullSeconds)
	if f.FullSeconds > 0 {
		fmt.Fprintf(&b, " %6.3f", f.IncrementalSeconds/f.FullSeconds)
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}

// WriteTable prints one line per month and the worst figures.
func (r MonthsResult) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d months, %d households, corruption %s, seed %d\n", r.Months, r.Households, r.Corruption, r.Seed)
	b.WriteString(monthsHeader)
	for _, f := range r.Figures {
		f.writeRow(&b)
	}
	fmt.Fprintf(&b, "least share kept: persons %.5f, households %.5f (target ≥ 0.995)\n", r.MinPersonKept, r.MinHouseholdKept)
	if len(r.Figures) > 0 && r.Figures[0].Full != nil {
		fmt.Fprintf(&b, "largest F1 drop below the full relink: persons %+.4f, households %+.4f (target ≤ 0.005)\n", r.MaxPersonDrop, r.MaxHouseholdDrop)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
