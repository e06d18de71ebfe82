// Command months measures issue 16's incremental linkage over synthetic
// months through the swd binary (build it first: make build):
//
//	go run ./bench/months -bin bin/swd -months 12 -households 20000 -corruption medium -seed 1 -dir /tmp/months
//
// It generates the months (swd synth --months), encodes every partner's
// export of every month with one secret (swd encode --schema
// docs/examples/synth/schema.yaml), links them month after month with swd
// link --state and, beside it, links each month again from scratch (swd
// link), scores both with swd eval against the month's truth, and compares
// the state's ids with the month before's over the true persons and
// households whose records did not change (eval.Stability). Every command
// is printed on stderr as it runs, each month's line as it ends; stdout
// gets the table (or one JSON object with -json). The measurement is
// bench.RunMonths; this command only binds flags. See docs/incremental.md.
package main

import (
	"context"
	"flag"
	"os"

	"github.com/welfare-district/swd/bench"
	"github.com/welfare-district/swd/internal/benchcmd"
)

func main() {
	cfg := bench.MonthsConfig{Log: os.Stderr}
	flag.StringVar(&cfg.Bin, "bin", "bin/swd", "the swd binary")
	flag.StringVar(&cfg.Dir, "dir", "", "work directory, kept (default: a temporary one, removed)")
	flag.StringVar(&cfg.Schema, "schema", "docs/examples/synth/schema.yaml", "encoding schema")
	flag.IntVar(&cfg.Months, "months", 12, "synthetic months")
	flag.IntVar(&cfg.Households, "households", 20000, "households of the first month")
	flag.StringVar(&cfg.Corruption, "corruption", "medium", "errors in the records: none, low, medium or high")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "swd synth --seed")
	flag.Float64Var(&cfg.Changes, "changes", 0, "swd synth --changes (0: the default rates)")
	flag.BoolVar(&cfg.Full, "full", true, "also link every month from scratch and compare")
	flag.BoolVar(&cfg.Reuse, "reuse", false, "keep the secret, months and encoded files a previous run left in -dir (link the same files with another binary)")
	asJSON := flag.Bool("json", false, "print one JSON object")
	flag.Parse()
	os.Exit(benchcmd.Main("months", *asJSON, func(ctx context.Context) (bench.MonthsResult, error) {
		return bench.RunMonths(ctx, cfg)
	}))
}
