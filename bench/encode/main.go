// Command encode measures the throughput of the partner encoder on the
// synth schema (docs/examples/synth/schema.yaml) with synthetic partner
// rows generated in memory by linkage/synth, and checks that memory stays
// flat in the number of rows:
//
//	go run ./bench/encode -n 200000 -workers 2 [-out /tmp/synth.swd.parquet]
//
// It prints records per second of wall-clock time and per second of CPU
// time (on a shared machine the latter is the steadier figure), the peak
// heap while encoding, and, with -stream, generates rows while encoding so
// the input is never held in memory; with -out, also writes the encoded
// Parquet file as swd encode does. The measurement is bench.RunEncode;
// this command only binds flags. See docs/encoding.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"

	"github.com/welfare-district/swd/bench"
	"github.com/welfare-district/swd/internal/benchcmd"
)

func main() {
	cfg := bench.EncodeConfig{}
	flag.IntVar(&cfg.Rows, "n", 200000, "rows to encode")
	flag.IntVar(&cfg.Workers, "workers", runtime.NumCPU(), "encoder workers")
	flag.StringVar(&cfg.Schema, "schema", "", "schema (default: docs/examples/synth/schema.yaml of the module)")
	flag.BoolVar(&cfg.Stream, "stream", false, "generate rows while encoding (memory check: input never held)")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "synth seed")
	flag.IntVar(&cfg.Repeats, "repeats", 3, "runs; the best is kept")
	flag.StringVar(&cfg.Out, "out", "", "also write the encoded Parquet file here (encoder + writer, as swd encode)")
	asJSON := flag.Bool("json", false, "print one JSON object")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the runs to this file")
	// The rows are held in memory (unless -stream), a live heap swd encode
	// never has: at GOGC 100 the collector rescans them and costs ~12% of
	// the throughput; 400 keeps the measurement to the encoder.
	gogc := flag.Int("gogc", 400, "GC percent while encoding (swd encode, which streams its input, uses Go's default unless GOGC is set)")
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
	}
	code := benchcmd.Main("encode bench", *asJSON, func(ctx context.Context) (bench.EncodeResult, error) {
		return bench.RunEncode(ctx, cfg)
	})
	pprof.StopCPUProfile()
	os.Exit(code)
}
