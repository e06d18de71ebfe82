package blocking

import (
	"context"
	"fmt"
	"slices"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/encoding"
)

// Candidates returns the distinct candidate pairs between a and b over all
// passes, sorted by (I, J).
func Candidates(ctx context.Context, a, b *encoding.Dataset, cfg Config) ([]Pair, Stats, error) {
	return candidates(ctx, a, b, cfg)
}

// CandidatesDedup returns the distinct candidate pairs (I < J) inside a,
// sorted.
func CandidatesDedup(ctx context.Context, a *encoding.Dataset, cfg Config) ([]Pair, Stats, error) {
	return candidates(ctx, a, nil, cfg)
}

// candidates unions the passes: each band's pairs are packed, sorted and
// de-duplicated on their own, then merged into the running union, so the
// peak memory is twice the union plus one band's pairs (8 bytes a pair).
func candidates(ctx context.Context, a, b *encoding.Dataset, cfg Config) ([]Pair, Stats, error) {
	union, merged := []Pair{}, []Pair(nil)
	var band []uint64
	flush := func() {
		if len(band) == 0 {
			return
		}
		slices.Sort(band)
		band = slices.Compact(band)
		if need := len(union) + len(band); cap(merged) < need {
			merged = make([]Pair, 0, need+need/8) // no append doubling
		}
		merged = MergePacked(merged[:0], union, band)
		union, merged = merged, union
		band = band[:0]
	}
	lastBand, lastPass := -1, ""
	limit := cfg.maxCandidates()
	st, err := Blocks(ctx, a, b, cfg, func(blk Block) error {
		if blk.Band != lastBand || blk.Pass != lastPass {
			flush()
			lastBand, lastPass = blk.Band, blk.Pass
		}
		if int64(len(band))+blk.NumPairs() > limit || int64(len(union)) > limit {
			return base.Mark(fmt.Errorf("%w: more than %d in pass %s (band %d)",
				ErrTooManyCandidates, limit, blk.Pass, blk.Band), base.ErrUsage)
		}
		band = blk.AppendPacked(band)
		return nil
	})
	if err != nil {
		return nil, st, err
	}
	flush()
	if int64(len(union)) > limit {
		return nil, st, base.Mark(fmt.Errorf("%w: more than %d", ErrTooManyCandidates, limit), base.ErrUsage)
	}
	st.Candidates = int64(len(union))
	return union, st, nil
}
