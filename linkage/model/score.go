package model

import (
	"github.com/welfare-district/swd/linkage/encoding"
)

// Scorer scores pairs of two datasets with a fitted model, applying the
// term-frequency adjustment to the fields whose comparison asks for it. It
// is read-only after construction and safe for concurrent use.
type Scorer struct {
	m       *Model
	c       *Comparer
	tf      [][]float64 // tf[f][i]: term-frequency adjustment of an exact agreement on record i of A's value; nil without TF
	jointOf []int       // joint comparison of each field, −1 for none
	weights [][]float64 // weights[f][l]: the level weights
	joints  []scoreJoint
}

// scoreJoint is a joint comparison as Score applies it: when both fields
// are present, delta[cell] replaces the sum of their two level weights by
// the cell's weight.
type scoreJoint struct {
	a, b  int // fields
	nb    int // present levels of b
	delta []float64
}

// NewScorer binds a model to two datasets (the same one twice for
// de-duplication). With useTF, the exact level of every comparison with TF
// set gets a per-value weight (see termFrequencyWeights).
func NewScorer(m *Model, a, b *encoding.Dataset, useTF bool) (*Scorer, error) {
	return NewScorerShared(m, a, b, useTF, nil)
}

// NewScorerShared is NewScorer with the datasets' sides taken from (and
// kept in) cache (see SideCache).
func NewScorerShared(m *Model, a, b *encoding.Dataset, useTF bool, cache *SideCache) (*Scorer, error) {
	c, err := NewComparerShared(m.Comparisons(), a, b, cache)
	if err != nil {
		return nil, err
	}
	s := &Scorer{m: m, c: c, tf: make([][]float64, len(m.Fields)), jointOf: m.jointOf()}
	for _, fp := range m.Fields {
		w := make([]float64, len(fp.Levels))
		for l, lv := range fp.Levels {
			w[l] = lv.Weight
		}
		s.weights = append(s.weights, w)
	}
	for k := range m.Joints {
		j := &m.Joints[k]
		a, b := j.Fields[0], j.Fields[1]
		sj := scoreJoint{a: a, b: b, nb: len(m.Fields[b].Levels) - 1, delta: make([]float64, len(j.Cells))}
		for la := 1; la < len(m.Fields[a].Levels); la++ {
			for lb := 1; lb < len(m.Fields[b].Levels); lb++ {
				sj.delta[m.cell(j, la, lb)] = m.jointDelta(j, la, lb)
			}
		}
		s.joints = append(s.joints, sj)
	}
	if useTF {
		for f, fp := range m.Fields {
			if fp.TF {
				s.tf[f] = termFrequencyAdjustments(c.a[f], c.b[f], c.dedup)
			}
		}
	}
	return s, nil
}

// Comparer returns the scorer's comparer.
func (s *Scorer) Comparer() *Comparer { return s.c }

// TermFrequencies reports whether the scorer applies term-frequency
// adjustments: then a pair's weight depends on its records' values, not on
// its agreement pattern alone.
func (s *Scorer) TermFrequencies() bool {
	for _, t := range s.tf {
		if t != nil {
			return true
		}
	}
	return false
}

// Model returns the scorer's model.
func (s *Scorer) Model() *Model { return s.m }

// maxFields bounds the comparisons Score handles without allocating.
const maxFields = 64

// Score returns the pattern key, the match weight and the posterior match
// probability of the pair (i of A, j of B), with the model's prior.
func (s *Scorer) Score(i, j int) (key uint64, weight, prob float64) {
	key, weight = s.Weigh(i, j)
	return key, weight, s.m.Probability(weight)
}

// Weigh returns the pattern key and the match weight of the pair (i of A,
// j of B): the level weights, the joint comparisons' cells in place of
// their fields' weights, the term-frequency adjustments and the
// interactions.
func (s *Scorer) Weigh(i, j int) (key uint64, weight float64) {
	var buf [maxFields]int
	levels := buf[:0]
	if len(s.c.cmps) > maxFields {
		levels = make([]int, 0, len(s.c.cmps))
	}
	nf := len(s.c.cmps)
	ra, rb := s.c.ma[i*nf:i*nf+nf], s.c.mb[j*nf:j*nf+nf]
	for f := range nf {
		l := s.c.level(f, ra[f], rb[f], i, j)
		levels = append(levels, l)
		key += uint64(l) * s.c.place[f]
	}
	if len(s.c.swaps) > 0 {
		key = s.c.swapped(key, ra, rb, i, j)
		for _, sw := range s.c.swaps {
			for _, f := range sw {
				levels[f] = int(key / s.c.place[f] % uint64(len(s.weights[f])))
			}
		}
	}
	for f, l := range levels {
		weight += s.weights[f][l]
		if s.tf[f] != nil && l == len(s.weights[f])-1 && s.m.Fields[f].Exact {
			weight += s.tf[f][i]
		}
	}
	for k := range s.joints {
		sj := &s.joints[k]
		if la, lb := levels[sj.a], levels[sj.b]; la > 0 && lb > 0 {
			weight += sj.delta[(la-1)*sj.nb+lb-1]
		}
	}
	if len(s.m.Interactions) > 0 {
		weight += s.m.interactionWeight(func(f int) int { return levels[f] })
	}
	return key, weight
}

// termFrequencyAdjustments returns, for every record i of side a, the
// adjustment of the weight of an exact agreement on its filter value v:
// log2(Σ_x p(x)² / p(v)), where p(x) is the frequency of the identical
// filter x among the present filters of a and b (of a alone for
// de-duplication). This is the term-frequency adjustment of
// Fellegi–Sunter (as in Splink): among matches an exact agreement falls on
// v with probability p(v), among non-matches with p(v)²/Σp², so agreeing
// on a rare value is stronger evidence than agreeing on a common one, and
// the adjustment averages out over the agreements the level's weight was
// fitted on. It is relative to the level's weight, so it holds whether the
// level's u describes random pairs or the blocked candidates (whose
// non-matches agree far more often than random pairs). Records without a
// value get 0.
func termFrequencyAdjustments(a, b side, dedup bool) []float64 {
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
	// Σ p² = Σ n² / total²; the adjustment is log2(Σ n² / (total · n(v))).
	var sumSq float64
	for _, n := range freq {
		sumSq += float64(n) * float64(n)
	}
	w := make([]float64, len(ha))
	for i, h := range ha {
		if a.present(i) {
			w[i] = TFAdjustment(int64(freq[h]), int64(total), sumSq)
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
