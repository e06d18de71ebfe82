package model

import (
	"context"
	"fmt"
	"math/rand/v2"

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
	na, nb := c.a[0].col.Present, c.b[0].col.Present
	dedup := c.dedup
	if len(na) == 0 || len(nb) == 0 || (dedup && len(na) < 2) {
		return nil, base.Invalidf("model: too few records to sample pairs for u")
	}
	if nSamples < 1 {
		return nil, base.Usagef("model: u needs at least one sampled pair")
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	counts := make([][]float64, len(c.cmps))
	for f, cmp := range c.cmps {
		counts[f] = make([]float64, cmp.Levels())
	}
	for s := 0; s < nSamples; s++ {
		if s&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("model: sampling u: %w", err)
			}
		}
		i, j := rng.IntN(len(na)), rng.IntN(len(nb))
		for dedup && i == j {
			j = rng.IntN(len(nb))
		}
		for f := range c.cmps {
			counts[f][c.Level(f, i, j)]++
		}
	}
	for f := range counts {
		normalise(counts[f], 1)
	}
	return counts, nil
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
