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
	if _, err := os.Stat(filepath.Join(enc, "cgil.swd.parquet")); err != nil {
		if _, _, err := run("synth", "-q", "--households", fmt.Sprint(hh), "--seed", fmt.Sprint(cfg.Seed),
			"--corruption", cfg.Corruption, "--out", exports); err != nil {
			return ScaleResult{}, err
		}
		if err := os.MkdirAll(enc, 0o755); err != nil {
			return ScaleResult{}, err
		}
		key := filepath.Join(dir, "secret.key")
		if _, _, err := run("keygen", "-q", "--out", key); err != nil {
			return ScaleResult{}, err
		}
		for _, p := range partners {
			if _, _, err := run("encode", "-q", "--schema", cfg.Schema, "--secret", key, "--partner", p,
				"--in", filepath.Join(exports, p+".csv"), "--out", filepath.Join(enc, p+".swd.parquet")); err != nil {
				return ScaleResult{}, err
			}
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
	res := ScaleResult{Households: hh, WallSeconds: wall.Seconds(), Args: cfg.LinkArgs,
		CPUSeconds: (st.UserTime() + st.SystemTime()).Seconds()}
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		res.PeakRSS = ru.Maxrss << 10 // kB on Linux
	}
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
