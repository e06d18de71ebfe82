// Command blocking measures blocking quality on a public benchmark dataset
// encoded with its example schema:
//
//	go run ./bench/blocking -dataset ncvoter -json
//
// prints pair completeness (share of the true pairs among the candidates)
// and reduction ratio. Run it from the module root; see docs/performance.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/welfare-district/swd/bench"
)

func main() {
	cfg := bench.BlockingConfig{}
	flag.StringVar(&cfg.Dataset, "dataset", "ncvoter", "ncvoter or febrl4")
	flag.StringVar(&cfg.DataDir, "data", "../shared/datasets", "shared datasets folder")
	flag.StringVar(&cfg.SchemaDir, "schemas", "docs/examples", "folder of the example schemas")
	flag.IntVar(&cfg.Bands, "bands", 30, "LSH bands (0: no LSH)")
	flag.IntVar(&cfg.BitsPerBand, "bits-per-band", 24, "sampled bits per LSH band")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "LSH seed")
	fieldLSH := flag.String("field-lsh", "", "comma-separated fields for a second LSH pass on their filters")
	flag.IntVar(&cfg.FieldBands, "field-bands", 30, "bands of the field LSH pass")
	flag.IntVar(&cfg.FieldBits, "field-bits-per-band", 16, "sampled bits per band of the field LSH pass")
	flag.BoolVar(&cfg.Keys, "keys", true, "also block on the schema's keyed blocking keys")
	flag.Int64Var(&cfg.MaxBlockPairs, "max-block-pairs", 0, "skip blocks with more pairs (0: default, <0: no cap)")
	flag.IntVar(&cfg.Workers, "workers", 2, "encoding workers")
	asJSON := flag.Bool("json", false, "print one JSON object")
	flag.Parse()
	if *fieldLSH != "" {
		cfg.FieldLSH = strings.Split(*fieldLSH, ",")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := bench.RunBlocking(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "blocking:", err)
		os.Exit(1)
	}
	if *asJSON {
		if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
			os.Exit(1)
		}
		return
	}
	fmt.Printf("%s: %d × %d records, %d true pairs\n", res.Dataset, res.NA, res.NB, res.TruePairs)
	fmt.Printf("  candidates %d (%.4f%% of all pairs), pair completeness %.4f, reduction ratio %.6f\n",
		res.Candidates, 100*res.ComparedShare, res.PairCompleteness, res.ReductionRatio)
	for _, p := range res.Passes {
		fmt.Printf("  pass %-20s blocks %8d pairs %10d skipped blocks %d (%d pairs)\n",
			p.Name, p.Blocks, p.Pairs, p.SkippedBlocks, p.SkippedPairs)
	}
	fmt.Printf("  missed true pairs by CLK Dice (tenths): %v\n", res.MissedByDice)
	fmt.Printf("  encode %.1f s, block %.1f s\n", res.EncodeSeconds, res.BlockSeconds)
}
