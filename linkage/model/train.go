package model

import (
	"context"
	"iter"

	"github.com/welfare-district/swd/linkage/encoding"
)

// TrainConfig configures Train.
type TrainConfig struct {
	USamples int    // random pairs for u; default DefaultUSamples
	Seed     uint64 // seed of the u sample
	EM       EMConfig
}

// Train fits a model for one pair of datasets (the same dataset twice for
// de-duplication): u from a random sample of pairs, pattern counts of the
// candidate pairs, then EM. With several partners, count each pair of
// datasets with its own Comparer, Merge the PatternCounts and call Fit once:
// one model serves all pairs.
func Train(ctx context.Context, cmps []Comparison, a, b *encoding.Dataset, pairs iter.Seq2[int, int], cfg TrainConfig) (*Model, error) {
	c, err := NewComparer(cmps, a, b)
	if err != nil {
		return nil, err
	}
	n := cfg.USamples
	if n <= 0 {
		n = DefaultUSamples
	}
	u, err := EstimateU(ctx, c, n, cfg.Seed)
	if err != nil {
		return nil, err
	}
	pc, err := c.Count(ctx, pairs)
	if err != nil {
		return nil, err
	}
	return Fit(ctx, cmps, pc, u, cfg.EM)
}
