// Command encode measures the throughput of the partner encoder on the
// synth schema (docs/examples/synth/schema.yaml) with synthetic partner
// rows generated in memory by linkage/synth, and checks that memory stays
// flat in the number of rows:
//
//	go run ./bench/encode -n 200000 -workers 2
//
// It prints records per second of wall-clock time and per second of CPU
// time (on a shared machine the latter is the steadier figure), the peak
// heap while encoding, and, with -stream, generates rows while encoding so
// the input is never held in memory. See docs/encoding.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
	"github.com/welfare-district/swd/linkage/synth"
)

// Config describes one measurement.
type Config struct {
	Rows    int    // rows to encode
	Workers int    // encoder goroutines
	Schema  string // schema file
	Stream  bool   // generate rows while encoding instead of beforehand
	Seed    uint64
	Repeats int // best of
}

// Result is what the command prints.
type Result struct {
	Rows             int     `json:"rows"`
	Workers          int     `json:"workers"`
	Stream           bool    `json:"stream"`
	Seconds          float64 `json:"seconds"`
	RecordsPerSec    float64 `json:"records_per_sec"`
	RecordsPerCPUSec float64 `json:"records_per_cpu_sec"`
	PeakHeapMiB      float64 `json:"peak_heap_mib"`
	InputMiB         float64 `json:"input_mib"`
	GOMAXPROCS       int     `json:"gomaxprocs"`
}

func main() {
	cfg := Config{}
	flag.IntVar(&cfg.Rows, "n", 200000, "rows to encode")
	flag.IntVar(&cfg.Workers, "workers", runtime.NumCPU(), "encoder workers")
	flag.StringVar(&cfg.Schema, "schema", "", "schema (default: docs/examples/synth/schema.yaml of the module)")
	flag.BoolVar(&cfg.Stream, "stream", false, "generate rows while encoding (memory check: input never held)")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "synth seed")
	flag.IntVar(&cfg.Repeats, "repeats", 3, "runs; the best is kept")
	asJSON := flag.Bool("json", false, "print one JSON object")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the runs to this file")
	gogc := flag.Int("gogc", 400, "GC percent while encoding (swd encode uses 400 unless GOGC is set)")
	flag.Parse()
	debug.SetGCPercent(*gogc)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "encode bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "encode bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	if *asJSON {
		_ = json.NewEncoder(os.Stdout).Encode(res)
		return
	}
	fmt.Printf("rows %d, workers %d (GOMAXPROCS %d), stream %v\n", res.Rows, res.Workers, res.GOMAXPROCS, res.Stream)
	fmt.Printf("  %.3f s: %.0f records/s wall, %.0f records/s of CPU time\n", res.Seconds, res.RecordsPerSec, res.RecordsPerCPUSec)
	fmt.Printf("  peak heap %.1f MiB (input held in memory: %.1f MiB)\n", res.PeakHeapMiB, res.InputMiB)
}

// Run performs the measurement.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Schema == "" {
		root, err := moduleRoot()
		if err != nil {
			return Result{}, err
		}
		cfg.Schema = filepath.Join(root, "docs/examples/synth/schema.yaml")
	}
	s, err := schema.Load(cfg.Schema)
	if err != nil {
		return Result{}, err
	}
	secret, err := encoding.GenerateSecret()
	if err != nil {
		return Result{}, err
	}
	enc, err := encoding.New(s, secret, "bench", encoding.WithWorkers(cfg.Workers))
	if err != nil {
		return Result{}, err
	}
	res := Result{Rows: cfg.Rows, Workers: cfg.Workers, Stream: cfg.Stream, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	var rows [][]string
	if !cfg.Stream {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if rows, err = generate(cfg); err != nil {
			return Result{}, err
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		res.InputMiB = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	}
	best := -1.0
	for r := 0; r < max(1, cfg.Repeats); r++ {
		var src encoding.Source
		if cfg.Stream {
			g, err := newGenSource(cfg)
			if err != nil {
				return Result{}, err
			}
			src = g
		} else {
			src = encoding.NewRows(rows)
		}
		runtime.GC()
		peak := watchHeap()
		cpu0, t0 := cpuTime(), time.Now()
		st, err := enc.Encode(ctx, synth.Columns, src, encoding.Output{Record: func(string, *encoding.Record) error { return nil }})
		wall, cpu := time.Since(t0), cpuTime()-cpu0
		heap := peak()
		if err != nil {
			return Result{}, err
		}
		if st.Read != cfg.Rows {
			return Result{}, fmt.Errorf("read %d rows, want %d", st.Read, cfg.Rows)
		}
		if rate := float64(st.Read) / wall.Seconds(); rate > best {
			best = rate
			res.Seconds, res.RecordsPerSec = wall.Seconds(), rate
			res.RecordsPerCPUSec = float64(st.Read) / cpu.Seconds()
			res.PeakHeapMiB = heap
		}
	}
	return res, nil
}

// generate produces cfg.Rows synth rows.
func generate(cfg Config) ([][]string, error) {
	g, err := newGenSource(cfg)
	if err != nil {
		return nil, err
	}
	rows := make([][]string, 0, cfg.Rows)
	for {
		row, _, err := g.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
}

// genSource yields exactly n synth rows, generating households on demand.
type genSource struct {
	g    *synth.Generator
	n, i int
	buf  []synth.Row
}

func newGenSource(cfg Config) (*genSource, error) {
	g, err := synth.NewGenerator(synth.Config{Households: cfg.Rows, Seed: cfg.Seed, Corruption: synth.Level(1)})
	if err != nil {
		return nil, err
	}
	return &genSource{g: g, n: cfg.Rows}, nil
}

func (s *genSource) Next() ([]string, int, error) {
	if s.i >= s.n {
		return nil, s.i, io.EOF
	}
	for len(s.buf) == 0 {
		_, s.buf = s.g.Next()
	}
	r := s.buf[0]
	s.buf = s.buf[1:]
	s.i++
	return r.Fields(), s.i, nil
}

// watchHeap samples the live heap every 20 ms until the returned function
// is called, which returns the peak in MiB.
func watchHeap() func() float64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(stop)
		<-done
		return float64(peak.Load()) / (1 << 20)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the working directory; pass -schema")
		}
		dir = parent
	}
}
