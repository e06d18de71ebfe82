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
// same levels and keys as Comparer for the same filters. It is read-only and
// safe for concurrent use.
type RecordComparer struct {
	cmps  []Comparison
	place []uint64
}

// NewRecordComparer prepares the comparisons (validated as by NewComparer).
func NewRecordComparer(cmps []Comparison) (*RecordComparer, error) {
	if err := validateComparisons(cmps); err != nil {
		return nil, err
	}
	place, _ := radices(cmps)
	return &RecordComparer{cmps: cmps, place: place}, nil
}

// Comparisons returns the comparisons, in key order.
func (c *RecordComparer) Comparisons() []Comparison { return c.cmps }

// Key is the agreement pattern key of two records. a[f] and b[f] are the
// filters of comparison f's field (nil, or all zero, when the value is
// missing), as Comparer reads them from a dataset.
func (c *RecordComparer) Key(a, b [][]uint64) uint64 {
	var key uint64
	for f := range c.cmps {
		key += uint64(c.Level(f, a[f], b[f])) * c.place[f]
	}
	return key
}

// Level is the comparison level of field f for the filters x and y.
func (c *RecordComparer) Level(f int, x, y []uint64) int {
	if x == nil || y == nil {
		return 0
	}
	return filterLevel(c.cmps[f], x, y, bitvec.Count(x), bitvec.Count(y))
}

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

// TFWeight is the weight of an exact agreement of field f on a value found
// freq times among total present values (of both datasets of the pair; of
// the one dataset for de-duplication), as a Scorer computes it.
func (m *Model) TFWeight(f int, freq, total int64) float64 {
	return tfWeight(m.Fields[f].Levels[m.Fields[f].ExactLevel()].M, freq, total)
}

func tfWeight(mExact float64, freq, total int64) float64 {
	return math.Log2(mExact * float64(total) / float64(freq))
}

// WeightTF is the match weight of pattern key with the term-frequency
// adjustment: for each field at its exact level for which tf(f) returns
// ok, tf's weight replaces the level weight (a Scorer's Score sums the same
// terms in the same order, so the two agree to the bit). Interactions are
// added as by Weight.
func (m *Model) WeightTF(key uint64, tf func(f int) (w float64, ok bool)) float64 {
	w := 0.0
	rest := key
	levels := make([]int, len(m.Fields))
	for f := range m.Fields {
		n := uint64(len(m.Fields[f].Levels))
		l := int(rest % n)
		rest /= n
		levels[f] = l
		if m.Fields[f].TF && l == m.Fields[f].ExactLevel() {
			if t, ok := tf(f); ok {
				w += t
				continue
			}
		}
		w += m.Fields[f].Levels[l].Weight
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
