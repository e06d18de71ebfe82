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
	"flag"
	"os"
	"strings"

	"github.com/welfare-district/swd/bench"
	"github.com/welfare-district/swd/internal/benchcmd"
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
	os.Exit(benchcmd.Main("blocking", *asJSON, func(ctx context.Context) (bench.BlockingResult, error) {
		return bench.RunBlocking(ctx, cfg)
	}))
}
