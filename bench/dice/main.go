// Command dice measures the Dice matcher against C reference loops on the
// same random filters in the same run:
//
//	go run ./bench/dice -n 10000 -m 10000 -threshold 0.8 -workers 1 -json
//
// prints one JSON object (pairs_per_sec, c_reference_pairs_per_sec, ratio,
// …); without -json it prints a table. See docs/performance.md.
package main

import (
	"context"
	"flag"
	"os"

	"github.com/welfare-district/swd/bench"
	"github.com/welfare-district/swd/internal/benchcmd"
)

func main() {
	cfg := bench.DiceConfig{}
	flag.IntVar(&cfg.N, "n", 10000, "query filters")
	flag.IntVar(&cfg.M, "m", 10000, "candidate filters")
	flag.IntVar(&cfg.Bits, "bits", 1024, "bits per filter (multiple of 64, 64…4096)")
	flag.Float64Var(&cfg.Threshold, "threshold", 0.8, "Dice threshold")
	flag.IntVar(&cfg.Workers, "workers", 1, "Go matcher workers (the C loops are single-core)")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "random seed")
	flag.IntVar(&cfg.Repeats, "repeats", 5, "runs of each slice by each loop; the fastest counts")
	flag.IntVar(&cfg.Slices, "slices", 20, "time the queries in this many slices")
	flag.BoolVar(&cfg.C, "c", true, "also time the C reference loops")
	flag.BoolVar(&cfg.OneWorker, "scaling", true, "with -workers > 1, also time one worker")
	asJSON := flag.Bool("json", false, "print one JSON object")
	flag.Parse()
	os.Exit(benchcmd.Main("dice", *asJSON, func(ctx context.Context) (bench.DiceResult, error) {
		return bench.RunDice(ctx, cfg)
	}))
}
