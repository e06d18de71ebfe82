package match

import (
	"github.com/welfare-district/swd/internal/bitvec"
)

// ScorePairs appends to dst the Dice coefficient of a.At(p.I) and
// b.At(p.J) for every pair, in order, and returns it: the scorer for
// candidate pairs produced by blocking. It panics if an index is out of
// range or the arenas have different filter sizes.
func ScorePairs(a, b bitvec.Arena, pairs []Pair, dst []float32) []float32 {
	if a.Words != b.Words {
		panic("match: ScorePairs over arenas of different filter sizes")
	}
	for _, p := range pairs {
		x, y := a.At(int(p.I)), b.At(int(p.J))
		dst = append(dst, float32(bitvec.DiceFromCounts(bitvec.AndCount(x, y), bitvec.Count(x), bitvec.Count(y))))
	}
	return dst
}

// Query returns the matches of one filter q against ix (Match.I is 0),
// appended to dst: the one-vs-many search. Workers, ChunkSize and Ordered
// do not apply; the result is sorted by J unless TopK is set, in which case
// it is best first.
func (ix *Index) Query(q []uint64, dst []Match, opts ...Option) ([]Match, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return dst, err
	}
	if len(q) != ix.Words() {
		panic("match: Query with a filter of the wrong size")
	}
	w := newWorker(ix, o, NeedTable(64*len(q), o.threshold), false)
	start := len(dst)
	dst = w.query(0, q, dst)
	if o.topK == 0 {
		sortMatches(dst[start:])
	}
	return dst, nil
}
