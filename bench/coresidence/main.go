// Command coresidence measures, with ground truth, what each rule joining
// households by co-residence evidence (phone, address, postcode, district,
// birth place; surnames in the clear as a bound) would gain and cost, on
// the households of a `swd link --no-co-residence` run over `swd synth`
// exports encoded with the synth example schema:
//
//	go run ./bench/coresidence -links sy.parquet -truth sy/truth.csv -exports sy sy_*.parquet
//
// It also counts the pairs of linked households that are one true
// household by what they share, and the pairs of different true households
// that share a phone number by chance. See docs/linkage.md, sections 5
// and 8.
package main

import (
	"context"
	"flag"
	"os"

	"github.com/welfare-district/swd/bench"
	"github.com/welfare-district/swd/internal/benchcmd"
)

func main() {
	var cfg bench.CoResidenceConfig
	flag.StringVar(&cfg.Links, "links", "", "links file of swd link --no-co-residence")
	flag.StringVar(&cfg.Truth, "truth", "", "truth.csv of swd synth")
	flag.StringVar(&cfg.Exports, "exports", "", "folder of swd synth's exports: also the rules on surnames in the clear")
	asJSON := flag.Bool("json", false, "print one JSON object")
	flag.Parse()
	cfg.Encoded = flag.Args()
	os.Exit(benchcmd.Main("coresidence", *asJSON, func(ctx context.Context) (bench.CoResidenceResult, error) {
		return bench.RunCoResidence(ctx, cfg)
	}))
}
