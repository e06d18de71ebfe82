package match

import (
	"slices"
	"sort"

	"github.com/welfare-district/swd/internal/bitvec"
)

// Index is the candidate side of a search: a copy of the filters sorted by
// popcount, with the popcounts and the original positions. It is read-only
// once built and may be shared by concurrent searches.
type Index struct {
	sorted bitvec.Arena // filters in popcount order
	counts []uint32     // popcount of sorted.At(k), non-decreasing
	orig   []uint32     // orig[k] = position of sorted.At(k) in the input
}

// NewIndex sorts the filters of b by popcount. It copies b (one extra copy
// of the candidate filters, 128 bytes per 1024-bit filter).
func NewIndex(b bitvec.Arena) *Index {
	n := b.Len()
	counts := bitvec.Counts(nil, b)
	orig := make([]uint32, n)
	for i := range orig {
		orig[i] = uint32(i)
	}
	slices.SortStableFunc(orig, func(x, y uint32) int { return int(counts[x]) - int(counts[y]) })
	ix := &Index{
		sorted: bitvec.Arena{Words: b.Words, Data: make([]uint64, 0, len(b.Data))},
		counts: make([]uint32, n),
		orig:   orig,
	}
	for k, i := range orig {
		ix.sorted.Data = append(ix.sorted.Data, b.At(int(i))...)
		ix.counts[k] = counts[i]
	}
	return ix
}

// Len is the number of candidates.
func (ix *Index) Len() int { return len(ix.orig) }

// Words is the size of the filters in 64-bit words.
func (ix *Index) Words() int { return ix.sorted.Words }

// admissible returns the range [lo, hi) of sorted candidates whose popcount
// allows a Dice of at least t against a query of popcount pa: the bound
// 2·min(pa,pb)/(pa+pb) rises up to pb = pa and falls after it.
func (ix *Index) admissible(pa uint32, t float64) (lo, hi int) {
	if t <= 0 {
		return 0, len(ix.counts)
	}
	bound := func(pb uint32) bool {
		return bitvec.DiceFromCounts(int(min(pa, pb)), int(pa), int(pb)) >= t
	}
	lo = sort.Search(len(ix.counts), func(k int) bool {
		pb := ix.counts[k]
		return pb >= pa || bound(pb)
	})
	hi = sort.Search(len(ix.counts), func(k int) bool {
		pb := ix.counts[k]
		return pb > pa && !bound(pb)
	})
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

// NeedTable returns need[s], the least |a∧b| for which a pair with
// |a|+|b| == s reaches Dice ≥ t, computed with the same floating-point
// expression as bitvec.DiceFromCounts so the integer test is exact;
// impossible sums get math.MaxUint32.
func NeedTable(bits int, t float64) []uint32 {
	need := make([]uint32, 2*bits+1)
	for s := range need {
		need[s] = ^uint32(0)
		// Dice = 2c/s ≥ t: start from the real-valued bound and correct the
		// rounding both ways.
		c := int(t * float64(s) / 2)
		for c > 0 && bitvec.DiceFromCounts(c-1, s, 0) >= t {
			c--
		}
		for c <= s/2 && bitvec.DiceFromCounts(c, s, 0) < t {
			c++
		}
		if c <= s/2 {
			need[s] = uint32(c)
		}
	}
	return need
}
