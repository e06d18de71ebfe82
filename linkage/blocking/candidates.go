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

// candidates unions the passes: each band's pairs are sorted and
// de-duplicated on their own, then merged into the running union, so the
// peak memory is the union plus one band's pairs (8 bytes a pair).
func candidates(ctx context.Context, a, b *encoding.Dataset, cfg Config) ([]Pair, Stats, error) {
	var union, band, merged []uint64
	flush := func() {
		if len(band) == 0 {
			return
		}
		slices.Sort(band)
		band = slices.Compact(band)
		if need := len(union) + len(band); cap(merged) < need {
			merged = make([]uint64, 0, need+need/8) // no append doubling
		}
		merged = mergeUnique(merged[:0], union, band)
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
	out := make([]Pair, len(union))
	for k, x := range union {
		out[k] = unpack(x)
	}
	st.Candidates = int64(len(out))
	return out, st, nil
}

func unpack(x uint64) Pair { return Pair{I: uint32(x >> 32), J: uint32(x)} }

// mergeUnique appends to dst the sorted union of the sorted, duplicate-free
// x and y.
func mergeUnique(dst, x, y []uint64) []uint64 {
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] < y[j]:
			dst = append(dst, x[i])
			i++
		case x[i] > y[j]:
			dst = append(dst, y[j])
			j++
		default:
			dst = append(dst, x[i])
			i++
			j++
		}
	}
	dst = append(dst, x[i:]...)
	return append(dst, y[j:]...)
}
