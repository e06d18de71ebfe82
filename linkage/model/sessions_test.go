package model

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/welfare-district/swd/internal/base"
)

func TestBlockedCounts(t *testing.T) {
	fields := []string{"luogo", "nome"}
	cmps := []Comparison{{Field: "luogo", Exact: true}, {Field: "nome", Thresholds: []float64{0.5}, Exact: true}}
	padova, vicenza := bitsVec(span(0, 8)...), bitsVec(span(8, 16)...)
	anna, anne, bruno := bitsVec(span(20, 30)...), bitsVec(span(22, 30)...), bitsVec(span(40, 50)...)
	a := dataset(fields, [][]uint64{padova, anna}, [][]uint64{padova, bruno}, [][]uint64{vicenza, anna}, [][]uint64{nil, anna})
	b := dataset(fields, [][]uint64{padova, anne}, [][]uint64{vicenza, bruno}, [][]uint64{padova, anna}, [][]uint64{nil, bruno})
	on := []bool{true, false}
	brute := func(c *Comparer, na, nb int, dedup bool) PatternCounts {
		pc := PatternCounts{}
		for i := range na {
			for j := range nb {
				if (!dedup || j > i) && c.Level(0, i, j) == 2 {
					pc[c.Key(i, j)]++
				}
			}
		}
		return pc
	}
	t.Run("link", func(t *testing.T) {
		c, err := NewComparer(cmps, a, b)
		require.NoError(t, err)
		pc, total, err := c.BlockedCounts(context.Background(), on, 0, 1)
		require.NoError(t, err)
		require.Equal(t, int64(5), total, "Padova 2×2, Vicenza 1×1, missing places in no block")
		require.Equal(t, brute(c, 4, 4, false), pc)
	})
	t.Run("dedup", func(t *testing.T) {
		c, err := NewComparer(cmps, a, a)
		require.NoError(t, err)
		pc, total, err := c.BlockedCounts(context.Background(), on, 0, 1)
		require.NoError(t, err)
		require.Equal(t, int64(1), total)
		require.Equal(t, brute(c, 4, 4, true), pc)
	})
	t.Run("sampled and reproducible", func(t *testing.T) {
		rows := make([][][]uint64, 300)
		for i := range rows {
			rows[i] = [][]uint64{padova, bitsVec(i % 64)}
		}
		d := dataset(fields, rows...)
		c, err := NewComparer(cmps, d, d)
		require.NoError(t, err)
		pc, total, err := c.BlockedCounts(context.Background(), on, 5000, 7)
		require.NoError(t, err)
		require.Equal(t, int64(300*299/2), total)
		require.InDelta(t, 5000, pc.Total(), 300)
		again, _, err := c.BlockedCounts(context.Background(), on, 5000, 7)
		require.NoError(t, err)
		require.Equal(t, pc, again)
	})
	t.Run("wrong field count", func(t *testing.T) {
		c, err := NewComparer(cmps, a, b)
		require.NoError(t, err)
		_, _, err = c.BlockedCounts(context.Background(), []bool{true}, 0, 1)
		require.Error(t, err)
	})
}

// placeTruths simulates NCVR-like data: two names (anchors) and a place
// with its postcode, which always agree together among non-matches.
func placeCmps() []Comparison {
	return []Comparison{
		{Field: "nome", Thresholds: []float64{0.7}, Exact: true, Anchor: true},
		{Field: "cognome", Thresholds: []float64{0.7}, Exact: true, Anchor: true},
		{Field: "comune", Thresholds: []float64{0.7}, Exact: true},
		{Field: "cap", Exact: true},
	}
}

// placePairs draws n pairs: matches with probability lambda; non-matches
// share the place with probability samePlace (then comune and cap agree
// together) and each name with probability shareName (a quarter of it in
// the same place: candidates elsewhere were blocked on names).
func placePairs(n int, lambda, samePlace, shareName float64, seed uint64) PatternCounts {
	cmps := placeCmps()
	rng := newTestRand(seed)
	pc := PatternCounts{}
	for range n {
		var lv []int
		if rng.Float64() < lambda {
			lv = []int{pick(rng, 0.02, 0.1), pick(rng, 0.02, 0.1), pick(rng, 0.01, 0.05), 2}
			if rng.Float64() < 0.03 {
				lv[3] = 1
			}
		} else {
			lv = []int{1, 1, 1, 1}
			share := shareName
			if rng.Float64() < samePlace {
				lv[2], lv[3] = 3, 2
				share /= 4 // blocked on the place, not on a name
			} else if rng.Float64() < 0.05 {
				lv[2] = 2
			}
			for f := range 2 {
				if rng.Float64() < share {
					lv[f] = 3
				} else if rng.Float64() < 0.01 {
					lv[f] = 2
				}
			}
		}
		pc[EncodePattern(cmps, lv)]++
	}
	return pc
}

func newTestRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 2)) }

// pick returns level 1 with probability pElse, 2 with pPartial, else 3.
func pick(rng interface{ Float64() float64 }, pElse, pPartial float64) int {
	x := rng.Float64()
	switch {
	case x < pElse:
		return 1
	case x < pElse+pPartial:
		return 2
	}
	return 3
}

func TestDependentFields(t *testing.T) {
	cmps := placeCmps()
	// Random pairs: 2% share the place; names agree by chance on 0.5%;
	// 0.1% are matches, which agree on everything.
	random := placePairs(400_000, 0.001, 0.02, 0.005, 3)
	in := dependentFields(cmps, random)
	require.Len(t, in, 1, "only comune and cap go together; the matches do not make the names look dependent")
	require.Equal(t, [2]int{2, 3}, in[0].Fields)
	require.InDelta(t, -math.Log2(1/0.02), in[0].Weight, 0.3)
}

func TestSessionsWhenPlacesAreRedundant(t *testing.T) {
	cmps := placeCmps()
	const allPairs = 50_000_000.0
	// Candidates: 4,000 matches among 200,000 pairs blocked on the place
	// (or on a shared name): EM on every field finds "same place", EM on
	// the two names alone cannot be identified.
	cands := placePairs(200_000, 0.02, 1, 0.45, 11)
	random := placePairs(500_000, 10_000/allPairs, 0.02, 0.004, 12)
	u := UFromPatterns(cmps, random)
	sessions := func(on []bool) (PatternCounts, error) {
		// Pairs blocked on the place (names as among random pairs) or on
		// both names (places as among random pairs, plus the matches).
		if on[2] && on[3] {
			return filterTop(cmps, placePairs(300_000, 0.03, 1, 0.004, 13), on), nil
		}
		return filterTop(cmps, placePairs(300_000, 0.5, 0.02, 1, 14), on), nil
	}
	cfg := EMConfig{UpdateU: true, AllPairs: allPairs, SessionCounts: sessions, RandomPatterns: random}
	m, err := Fit(context.Background(), cmps, cands, u, cfg)
	require.NoError(t, err)
	require.True(t, m.Sessions, "warnings: %v", m.Warnings)
	require.True(t, m.anchorsRewarded())
	require.Len(t, m.Interactions, 1)
	require.InEpsilon(t, 4_000/allPairs, m.Lambda, 0.7, "λ among all pairs, not among candidates (0.02)")
	post := func(lv ...int) float64 { return m.Posterior(EncodePattern(cmps, lv)) }
	require.Greater(t, post(3, 3, 3, 2), 0.99, "same names, same place")
	require.Greater(t, post(2, 3, 3, 2), 0.5, "a typo in the name")
	require.Less(t, post(3, 1, 3, 2), 0.5, "same given name in the same place")
	require.Less(t, post(1, 3, 3, 2), 0.5, "same surname in the same place (a relative)")
	require.Equal(t, m.Weight(EncodePattern(cmps, []int{3, 3, 3, 2})),
		m.Fields[0].Levels[3].Weight+m.Fields[1].Levels[3].Weight+m.Fields[2].Levels[3].Weight+m.Fields[3].Levels[2].Weight+m.Interactions[0].Weight)

	// The same candidates with NoAnchors: no fallback.
	plain, err := Fit(context.Background(), cmps, cands, u, EMConfig{UpdateU: true, NoAnchors: true, AllPairs: allPairs, SessionCounts: sessions, RandomPatterns: random})
	require.NoError(t, err)
	require.False(t, plain.Sessions)
}

// filterTop keeps the patterns at the top level of every field of on.
func filterTop(cmps []Comparison, pc PatternCounts, on []bool) PatternCounts {
	out := PatternCounts{}
	for k, n := range pc {
		lv := DecodePattern(cmps, k, nil)
		keep := true
		for f, in := range on {
			if in && lv[f] != cmps[f].Levels()-1 {
				keep = false
			}
		}
		if keep {
			out[k] += n
		}
	}
	return out
}

func TestInteractions(t *testing.T) {
	fields := []string{"comune", "cap"}
	cmps := []Comparison{{Field: "comune", Exact: true}, {Field: "cap", Exact: true}}
	u := [][]float64{{0, 0.9, 0.1}, {0, 0.95, 0.05}}
	m := newModel(cmps, u, EMConfig{InitialLambda: 0.01})
	m.setWeights()
	m.Interactions = []Interaction{{Fields: [2]int{0, 1}, Weight: -3}}
	padova, p35100, p35121 := bitsVec(span(0, 8)...), bitsVec(span(20, 30)...), bitsVec(span(40, 50)...)
	a := dataset(fields, [][]uint64{padova, p35100})
	b := dataset(fields, [][]uint64{padova, p35100}, [][]uint64{padova, p35121})
	sc, err := NewScorer(m, a, b, false)
	require.NoError(t, err)
	top := m.Fields[0].Levels[2].Weight + m.Fields[1].Levels[2].Weight
	tests := []struct {
		name string
		j    int
		want float64
	}{
		{"both agree: corrected", 0, top - 3},
		{"one agrees: no correction", 1, m.Fields[0].Levels[2].Weight + m.Fields[1].Levels[1].Weight},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, w, _ := sc.Score(0, tt.j)
			require.InDelta(t, tt.want, w, 1e-12)
			require.InDelta(t, tt.want, m.Weight(key), 1e-12)
		})
	}
	t.Run("round trip", func(t *testing.T) {
		var buf bytes.Buffer
		require.NoError(t, m.Encode(&buf))
		back, err := Decode(&buf, "model.json")
		require.NoError(t, err)
		require.Equal(t, m.Interactions, back.Interactions)
	})
	for _, bad := range [][2]int{{1, 0}, {0, 0}, {0, 2}, {-1, 1}} {
		t.Run(fmt.Sprintf("invalid %v", bad), func(t *testing.T) {
			c := *m
			c.Interactions = []Interaction{{Fields: bad, Weight: -1}}
			require.ErrorIs(t, c.Validate(), base.ErrInvalidInput)
		})
	}
}
