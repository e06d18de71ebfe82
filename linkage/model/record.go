package model

import (
	"iter"
	"math"
	"math/rand/v2"

	"github.com/welfare-district/swd/internal/bitvec"
)

// RecordComparer computes agreement patterns of records given one by one as
// their field filters, for callers that do not hold whole datasets (the Beam
// pipeline of swd-beam, which moves records between workers). It gives the
// same levels and keys as Comparer for the same filters, provided that the
// salt of every salted comparison (Comparison.SaltedBy) is itself one of
// the comparisons: Key then calls a salted field missing when its salt is
// present on one side only, as Comparer does. It is read-only and safe for
// concurrent use.
type RecordComparer struct {
	cmps  []Comparison
	place []uint64
	salt  []int // comparison holding each comparison's salt; −1: none
	swaps [][2]int
}

// NewRecordComparer prepares the comparisons (validated as by NewComparer).
func NewRecordComparer(cmps []Comparison) (*RecordComparer, error) {
	if err := validateComparisons(cmps); err != nil {
		return nil, err
	}
	place, _ := radices(cmps)
	salt := make([]int, len(cmps))
	for f, c := range cmps {
		salt[f] = -1
		if c.SaltedBy == "" {
			continue
		}
		for g, d := range cmps {
			if d.Field == c.SaltedBy {
				salt[f] = g
				break
			}
		}
	}
	swaps, _ := swapPairs(cmps)
	return &RecordComparer{cmps: cmps, place: place, salt: salt, swaps: swaps}, nil
}

// Comparisons returns the comparisons, in key order.
func (c *RecordComparer) Comparisons() []Comparison { return c.cmps }

// Key is the agreement pattern key of two records. a[f] and b[f] are the
// filters of comparison f's field (nil, or all zero, when the value is
// missing), as Comparer reads them from a dataset.
func (c *RecordComparer) Key(a, b [][]uint64) uint64 {
	var key uint64
	for f := range c.cmps {
		if s := c.salt[f]; s >= 0 && filterPresent(a[s]) != filterPresent(b[s]) {
			continue // level 0: salted differently, incomparable
		}
		key += uint64(c.Level(f, a[f], b[f])) * c.place[f]
	}
	for _, sw := range c.swaps {
		f, g := sw[0], sw[1]
		lf, lg, try := swapCandidate(key, c.cmps, c.place, f, g)
		if !try || len(a[f]) != len(b[g]) || len(a[g]) != len(b[f]) {
			continue
		}
		key = swapKey(key, c.place, f, g, lf, lg, c.Level(f, a[f], b[g]), c.Level(g, a[g], b[f]))
	}
	return key
}

// Level is the comparison level of field f for the filters x and y (the
// salts aside: see Key).
func (c *RecordComparer) Level(f int, x, y []uint64) int {
	if x == nil || y == nil {
		return 0
	}
	return filterLevel(c.cmps[f], x, y, bitvec.Count(x), bitvec.Count(y))
}

// filterPresent reports whether a filter holds a value (not nil, not all
// zero).
func filterPresent(x []uint64) bool { return x != nil && bitvec.Count(x) > 0 }

// filterLevel is the level of comparison cmp for two filters with popcounts
// ca and cb; a zero popcount is a missing value. Comparer.Level and
// RecordComparer.Level both use it.
func filterLevel(cmp Comparison, x, y []uint64, ca, cb int) int {
	if ca == 0 || cb == 0 {
		return 0
	}
	and := bitvec.AndCount(x, y)
	equal := and == ca && and == cb
	return cmp.Level(true, equal, bitvec.DiceFromCounts(and, ca, cb))
}

// FilterHash identifies a field filter's value for the term-frequency
// adjustment (two records agree exactly on a field when their filters are
// identical, and then have the same hash).
func FilterHash(v []uint64) uint64 { return filterHash(v) }

// TFAdjustment is the term-frequency adjustment of an exact agreement on a
// value found freq times among total present values (of both datasets of
// the pair; of the one dataset for de-duplication), whose counts n(x) sum
// to sumSq = Σ_x n(x)² over the same values: log2(sumSq / (total · freq)),
// as a Scorer computes it (see termFrequencyAdjustments).
func TFAdjustment(freq, total int64, sumSq float64) float64 {
	return math.Log2(sumSq / (float64(total) * float64(freq)))
}

// WeightTF is the match weight of pattern key with the term-frequency
// adjustment: for each field with TF, compared exactly, at its exact level
// for which tf(f) returns ok, tf's adjustment (TFAdjustment) is added to
// the level weight; joint comparisons and interactions are added as by
// Weight. A Scorer's Weigh sums the same terms in the same order, so the
// two agree to the bit.
func (m *Model) WeightTF(key uint64, tf func(f int) (adj float64, ok bool)) float64 {
	w := 0.0
	rest := key
	levels := make([]int, len(m.Fields))
	for f := range m.Fields {
		fp := &m.Fields[f]
		n := uint64(len(fp.Levels))
		l := int(rest % n)
		rest /= n
		levels[f] = l
		w += fp.Levels[l].Weight
		if fp.TF && fp.Exact && l == len(fp.Levels)-1 {
			if t, ok := tf(f); ok {
				w += t
			}
		}
	}
	for k := range m.Joints {
		j := &m.Joints[k]
		if la, lb := levels[j.Fields[0]], levels[j.Fields[1]]; la > 0 && lb > 0 {
			w += m.jointDelta(j, la, lb)
		}
	}
	if len(m.Interactions) > 0 {
		w += m.interactionWeight(func(f int) int { return levels[f] })
	}
	return w
}

// SamplePairs yields the nSamples pairs (i of A, j of B) that SamplePatterns
// draws for datasets of na and nb records with seed (dedup: A and B are the
// same dataset and no pair (i, i) is drawn), so that the same sample can be
// compared elsewhere.
func SamplePairs(na, nb int, dedup bool, nSamples int, seed uint64) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
		for range nSamples {
			i, j := rng.IntN(na), rng.IntN(nb)
			for dedup && i == j {
				j = rng.IntN(nb)
			}
			if !yield(i, j) {
				return
			}
		}
	}
}
