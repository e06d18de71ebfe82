package linkage

import (
	"context"
	"slices"

	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/match"
)

// Defaults of the all-pairs Dice pass.
const (
	// DefaultDiceMaxPairs is the largest comparison space searched
	// exhaustively: about a second of the Dice kernel on two cores.
	DefaultDiceMaxPairs = 400_000_000
	// DefaultDiceThreshold is the CLK Dice a pair needs in the exhaustive
	// pass. It is low on purpose: the pass only proposes candidates, the
	// model decides. Random pairs of 1024-bit CLKs filled to ~40% score
	// 0.43 ± 0.03.
	DefaultDiceThreshold = 0.5
	// DefaultDiceTopK bounds the pass to the best candidates of each record,
	// so that data whose CLKs are alike overall (one city's streets and
	// postcodes) cannot flood the model with pairs.
	DefaultDiceTopK = 10
)

// diceCandidates returns the pairs of a job whose CLK Dice reaches the
// threshold and are among the DiceTopK best of their record, searched
// exhaustively with the Dice kernel, packed (Pair.Pack) and sorted; nil
// when the comparison space exceeds maxPairs.
func diceCandidates(ctx context.Context, a, b *encoding.Dataset, dedup bool, cfg Config) ([]uint64, error) {
	space := float64(a.Len()) * float64(b.Len())
	if cfg.DiceMaxPairs < 0 || space > float64(cfg.DiceMaxPairs) {
		return nil, nil
	}
	var out []uint64
	emit := func(ms []match.Match) error {
		for _, m := range ms {
			out = append(out, blocking.Pair{I: m.I, J: m.J}.Pack())
		}
		return nil
	}
	opts := []match.Option{match.Threshold(cfg.DiceThreshold), match.TopK(cfg.DiceTopK), match.Workers(cfg.Workers)}
	var err error
	if dedup {
		_, err = match.SearchDedup(ctx, a.CLK, match.NewIndex(a.CLK), emit, opts...)
	} else {
		_, err = match.Search(ctx, a.CLK, match.NewIndex(b.CLK), emit, opts...)
	}
	if err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}
