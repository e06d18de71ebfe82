package model

import (
	"context"
	"fmt"
	"slices"

	"github.com/welfare-district/swd/internal/base"
)

// DefaultUSamples is the default number of random pairs EstimateU draws.
const DefaultUSamples = 1_000_000

// EstimateU estimates the non-match level probabilities u[f][l] from
// nSamples pairs drawn uniformly at random (with a PCG seeded by seed, so
// the result is reproducible). Almost every random pair is a non-match; the
// few true matches among them bias u by about 1/max(|A|,|B|). The missing
// level is excluded: u[f][0] = 0 and the other levels of a field sum to 1,
// over the sampled pairs where the field is present on both sides, with
// Laplace smoothing (one pseudo-pair per level) so that no level has
// probability 0. With dedup (the Comparer compares a dataset with itself),
// pairs (i, i) are not drawn.
func EstimateU(ctx context.Context, c *Comparer, nSamples int, seed uint64) ([][]float64, error) {
	pc, err := SamplePatterns(ctx, c, nSamples, seed)
	if err != nil {
		return nil, err
	}
	return UFromPatterns(c.cmps, pc), nil
}

// SamplePatterns counts the agreement patterns of nSamples pairs drawn
// uniformly at random (PCG seeded by seed; no pair (i, i) in
// de-duplication). It is the sample behind EstimateU, and a picture of all
// pairs for EMConfig.Background.
func SamplePatterns(ctx context.Context, c *Comparer, nSamples int, seed uint64) (PatternCounts, error) {
	return SamplePatternsN(ctx, c, nSamples, seed, 1)
}

// SamplePatternsN is SamplePatterns on workers goroutines, with the same
// counts: the pairs are drawn in SamplePairs' order, then compared sorted
// by record (the counts do not depend on the order, and the records are
// then read in memory order rather than at random).
func SamplePatternsN(ctx context.Context, c *Comparer, nSamples int, seed uint64, workers int) (PatternCounts, error) {
	na, nb := len(c.a[0].col.Present), len(c.b[0].col.Present)
	if na == 0 || nb == 0 || (c.dedup && na < 2) {
		return nil, base.Invalidf("model: too few records to sample pairs")
	}
	if nSamples < 1 {
		return nil, base.Usagef("model: sampling needs at least one pair")
	}
	pairs := make([]uint64, 0, nSamples)
	for i, j := range SamplePairs(na, nb, c.dedup, nSamples, seed) {
		pairs = append(pairs, uint64(i)<<32|uint64(j))
	}
	slices.Sort(pairs)
	pc, err := c.CountN(ctx, len(pairs), func(k int) (int, int) {
		return int(pairs[k] >> 32), int(uint32(pairs[k]))
	}, workers)
	if err != nil {
		return nil, fmt.Errorf("model: sampling pairs: %w", err)
	}
	return pc, nil
}

// UFromPatterns returns the per-field level frequencies of sampled pattern
// counts (missing excluded, one Laplace pseudo-pair per level): u[f][l].
func UFromPatterns(cmps []Comparison, pc PatternCounts) [][]float64 {
	u := make([][]float64, len(cmps))
	for f, cmp := range cmps {
		u[f] = make([]float64, cmp.Levels())
	}
	levels := make([]int, len(cmps))
	for _, k := range pc.Keys() {
		levels = DecodePattern(cmps, k, levels)
		for f, l := range levels {
			u[f][l] += float64(pc[k])
		}
	}
	for f := range u {
		normalise(u[f], 1)
	}
	return u
}

// normalise turns level counts (index 0 = missing, ignored) into smoothed
// probabilities over levels 1.. in place; p[0] becomes 0.
func normalise(p []float64, alpha float64) {
	p[0] = 0
	total := 0.0
	for l := 1; l < len(p); l++ {
		p[l] += alpha
		total += p[l]
	}
	for l := 1; l < len(p); l++ {
		p[l] /= total
	}
}
