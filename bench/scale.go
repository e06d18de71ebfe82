//go:build unix

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ScaleConfig describes a scaling run of swd link: for each size, synthetic
// partner exports are generated (swd synth), encoded (swd encode) and
// linked (swd link) by the swd binary, as separate processes, so that each
// link's wall time, CPU time and peak RSS are the operating system's own
// accounting of the whole command.
type ScaleConfig struct {
	Swd        string   // the swd binary
	Schema     string   // docs/examples/synth/schema.yaml
	Dir        string   // work directory: one subdirectory per size, kept for reuse
	Records    []int    // target record counts (about 2.13 records a household)
	Corruption string   // swd synth --corruption
	Seed       uint64   // swd synth --seed
	LinkArgs   []string // extra arguments of swd link
	Keep       bool     // keep the generated and encoded files
}

// ScaleResult is one JSON line of bench/scale: one size.
type ScaleResult struct {
	Records     int     `json:"records"`
	Households  int     `json:"households"`
	WallSeconds float64 `json:"wall_s"`
	CPUSeconds  float64 `json:"cpu_s"`
	PeakRSS     int64   `json:"peak_rss_bytes"`
	// Timings are the phases of swd link's report (blocking, model,
	// scoring, clustering), in seconds.
	Timings    map[string]float64 `json:"timings"`
	Candidates int64              `json:"candidates"`
	Args       []string           `json:"link_args"`
	// SynthSeconds and EncodeSeconds are the wall times of generating the
	// exports (swd synth) and of encoding the five files (swd encode, one
	// after the other); EncodePeakRSS is the largest peak RSS of the five
	// encodes. All three are zero when the files of an earlier run with
	// Keep were reused.
	SynthSeconds  float64 `json:"synth_s,omitempty"`
	EncodeSeconds float64 `json:"encode_s,omitempty"`
	EncodePeakRSS int64   `json:"encode_peak_rss_bytes,omitempty"`
}

// recordsPerHousehold is what swd synth writes per household across the
// five default partners at medium corruption (853,870 records from 400,000
// households).
const recordsPerHousehold = 2.135

// RunScale runs every size in cfg.Records and calls emit with each result.
func RunScale(ctx context.Context, cfg ScaleConfig, log io.Writer, emit func(ScaleResult) error) error {
	for _, n := range cfg.Records {
		res, err := scaleOne(ctx, cfg, n, log)
		if err != nil {
			return fmt.Errorf("%d records: %w", n, err)
		}
		if err := emit(res); err != nil {
			return err
		}
	}
	return nil
}

func scaleOne(ctx context.Context, cfg ScaleConfig, n int, log io.Writer) (ScaleResult, error) {
	hh := int(math.Round(float64(n) / recordsPerHousehold))
	dir := filepath.Join(cfg.Dir, fmt.Sprintf("h%d-%s-s%d", hh, cfg.Corruption, cfg.Seed))
	exports, enc := filepath.Join(dir, "exports"), filepath.Join(dir, "enc")
	partners := []string{"comune", "ulss6", "caritas", "acli", "cgil"}
	run := func(args ...string) (*os.ProcessState, time.Duration, error) {
		fmt.Fprintf(log, "scale: swd %s\n", strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, cfg.Swd, args...)
		cmd.Stdout, cmd.Stderr = log, log
		t0 := time.Now()
		err := cmd.Run()
		return cmd.ProcessState, time.Since(t0), err
	}
	var res ScaleResult
	if _, err := os.Stat(filepath.Join(enc, "cgil.swd.parquet")); err != nil {
		_, wall, err := run("synth", "-q", "--households", fmt.Sprint(hh), "--seed", fmt.Sprint(cfg.Seed),
			"--corruption", cfg.Corruption, "--out", exports)
		if err != nil {
			return ScaleResult{}, err
		}
		res.SynthSeconds = wall.Seconds()
		if err := os.MkdirAll(enc, 0o755); err != nil {
			return ScaleResult{}, err
		}
		key := filepath.Join(dir, "secret.key")
		if _, _, err := run("keygen", "-q", "--out", key); err != nil {
			return ScaleResult{}, err
		}
		for _, p := range partners {
			st, wall, err := run("encode", "-q", "--schema", cfg.Schema, "--secret", key, "--partner", p,
				"--in", filepath.Join(exports, p+".csv"), "--out", filepath.Join(enc, p+".swd.parquet"))
			if err != nil {
				return ScaleResult{}, err
			}
			res.EncodeSeconds += wall.Seconds()
			res.EncodePeakRSS = max(res.EncodePeakRSS, peakRSS(st))
		}
	}
	out := filepath.Join(dir, "link", "links.parquet")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return ScaleResult{}, err
	}
	args := append([]string{"link", "-q", "--out", out}, cfg.LinkArgs...)
	for _, p := range partners {
		args = append(args, filepath.Join(enc, p+".swd.parquet"))
	}
	st, wall, err := run(args...)
	if err != nil {
		return ScaleResult{}, err
	}
	res.Households, res.WallSeconds, res.Args = hh, wall.Seconds(), cfg.LinkArgs
	res.CPUSeconds = (st.UserTime() + st.SystemTime()).Seconds()
	res.PeakRSS = peakRSS(st)
	var rep struct {
		Partners []struct {
			Records int `json:"records"`
		} `json:"partners"`
		Pairs []struct {
			Candidates int64 `json:"candidates"`
		} `json:"partner_pairs"`
		Timings map[string]float64 `json:"timings"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "link", "links.report.json"))
	if err == nil {
		err = json.Unmarshal(b, &rep)
	}
	if err != nil {
		return ScaleResult{}, fmt.Errorf("the link report: %w", err)
	}
	for _, p := range rep.Partners {
		res.Records += p.Records
	}
	for _, p := range rep.Pairs {
		res.Candidates += p.Candidates
	}
	res.Timings = rep.Timings
	if !cfg.Keep {
		if err := os.RemoveAll(dir); err != nil {
			return res, err
		}
	}
	return res, nil
}

// peakRSS is a finished process's peak resident set size in bytes, or 0
// where the system does not report it.
func peakRSS(st *os.ProcessState) int64 {
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10 // kB on Linux
	}
	return 0
}
