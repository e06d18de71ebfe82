package model

import (
	"github.com/welfare-district/swd/linkage/encoding"
)

// Scorer scores pairs of two datasets with a fitted model, applying the
// term-frequency adjustment to the fields whose comparison asks for it. It
// is read-only after construction and safe for concurrent use.
type Scorer struct {
	m  *Model
	c  *Comparer
	tf [][]float64 // tf[f][i]: adjusted exact-level weight for record i of A; nil without TF
}

// NewScorer binds a model to two datasets (the same one twice for
// de-duplication). With useTF, the exact level of every comparison with TF
// set gets a per-value weight (see termFrequencyWeights).
func NewScorer(m *Model, a, b *encoding.Dataset, useTF bool) (*Scorer, error) {
	c, err := NewComparer(m.Comparisons(), a, b)
	if err != nil {
		return nil, err
	}
	s := &Scorer{m: m, c: c, tf: make([][]float64, len(m.Fields))}
	if useTF {
		for f, fp := range m.Fields {
			if fp.TF {
				s.tf[f] = termFrequencyWeights(fp.Levels[fp.ExactLevel()].M, c.a[f], c.b[f], c.dedup)
			}
		}
	}
	return s, nil
}

// Comparer returns the scorer's comparer.
func (s *Scorer) Comparer() *Comparer { return s.c }

// Model returns the scorer's model.
func (s *Scorer) Model() *Model { return s.m }

// Score returns the pattern key, the match weight and the posterior match
// probability of the pair (i of A, j of B).
func (s *Scorer) Score(i, j int) (key uint64, weight, prob float64) {
	for f := range s.c.cmps {
		l := s.c.Level(f, i, j)
		key += uint64(l) * s.c.place[f]
		if s.tf[f] != nil && l == s.m.Fields[f].ExactLevel() {
			weight += s.tf[f][i]
		} else {
			weight += s.m.Fields[f].Levels[l].Weight
		}
	}
	if len(s.m.Interactions) > 0 {
		weight += s.m.interactionWeight(func(f int) int {
			return int(key / s.c.place[f] % uint64(len(s.m.Fields[f].Levels)))
		})
	}
	return key, weight, s.m.Probability(weight)
}

// termFrequencyWeights returns, for every record i of side a, the weight of
// an exact agreement on its filter value v: log2(mExact / u_tf(v)), where
// u_tf(v) is the frequency of the identical filter v among the present
// filters of a and b (of a alone for de-duplication). This is the
// term-frequency adjustment of Fellegi–Sunter (as in Splink): two records
// agreeing exactly on a rare value are stronger evidence than two agreeing
// on a common one. Records without a value get 0.
func termFrequencyWeights(mExact float64, a, b side, dedup bool) []float64 {
	freq := map[uint64]int{}
	total := 0
	hashes := func(s side) []uint64 {
		h := make([]uint64, len(s.col.Present))
		for i := range h {
			if s.present(i) {
				h[i] = filterHash(s.col.Filters.At(i))
				freq[h[i]]++
				total++
			}
		}
		return h
	}
	ha := hashes(a)
	if !dedup {
		hashes(b)
	}
	w := make([]float64, len(ha))
	for i, h := range ha {
		if a.present(i) {
			w[i] = tfWeight(mExact, int64(freq[h]), int64(total))
		}
	}
	return w
}

// filterHash is a 64-bit hash of a filter (splitmix64 finaliser chained over
// the words); a collision only merges two values' frequencies.
func filterHash(v []uint64) uint64 {
	h := uint64(len(v))
	for _, w := range v {
		h ^= w
		h += 0x9e3779b97f4a7c15
		h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9
		h = (h ^ (h >> 27)) * 0x94d049bb133111eb
		h ^= h >> 31
	}
	return h
}
