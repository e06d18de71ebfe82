package model

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/welfare-district/swd/linkage/encoding"
)

// TestRecordComparerMatchesScorer checks that scoring records one by one
// (RecordComparer, FilterHash, TFAdjustment, WeightTF) gives the Scorer's
// keys and weights to the bit, with and without the term-frequency
// adjustment, with fields compared one by one and with a joint comparison
// of two names, one of them salted by a third field.
func TestRecordComparerMatchesScorer(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	values := [][]uint64{bitsVec(span(0, 10)...), bitsVec(span(5, 15)...), bitsVec(span(20, 28)...), bitsVec(span(40, 60)...)}
	fields := []string{"cognome", "nome", "data"}
	row := func() [][]uint64 {
		r := make([][]uint64, len(fields))
		for f := range r {
			if rng.IntN(6) > 0 {
				r[f] = values[rng.IntN(len(values))]
			}
		}
		return r
	}
	var rowsA, rowsB [][][]uint64
	for range 30 {
		rowsA = append(rowsA, row())
	}
	for range 20 {
		rowsB = append(rowsB, row())
	}
	a, b := dataset(fields, rowsA...), dataset(fields, rowsB...)
	plain := []Comparison{DefaultComparison("cognome", ""), DefaultComparison("nome", ""), DefaultComparison("data", "")}
	joint := slices.Clone(plain)
	joint[0].Group, joint[1].Group = "name", "name"
	joint[1].SaltedBy = "data"
	swap := slices.Clone(joint)
	swap[0].SwapWith = "nome"
	for name, cmps := range map[string][]Comparison{"plain": plain, "joint": joint, "swap": swap} {
		c, err := NewComparer(cmps, a, b)
		require.NoError(t, err)
		u, err := EstimateU(context.Background(), c, 2000, 1)
		require.NoError(t, err)
		pc, err := c.Count(context.Background(), allPairs(a.Len(), b.Len()))
		require.NoError(t, err)
		m, err := Fit(context.Background(), cmps, pc, u, EMConfig{UpdateU: true, NoAnchors: true})
		require.NoError(t, err)
		if name != "plain" {
			require.Len(t, m.Joints, 1)
		}
		for f := range m.Fields {
			m.Fields[f].TF = true
		}
		rc, err := NewRecordComparer(m.Comparisons())
		require.NoError(t, err)

		// Frequencies of each field's values over both datasets, as the
		// Scorer counts them.
		freq := make([]map[uint64]int64, len(fields))
		total := make([]int64, len(fields))
		sumSq := make([]float64, len(fields))
		for f := range fields {
			freq[f] = map[uint64]int64{}
			for _, rows := range [][][][]uint64{rowsA, rowsB} {
				for _, r := range rows {
					if r[f] != nil {
						freq[f][FilterHash(r[f])]++
						total[f]++
					}
				}
			}
			for _, n := range freq[f] {
				sumSq[f] += float64(n) * float64(n)
			}
		}
		for _, useTF := range []bool{false, true} {
			sc, err := NewScorer(m, a, b, useTF)
			require.NoError(t, err)
			for i := range rowsA {
				for j := range rowsB {
					key, w, p := sc.Score(i, j)
					require.Equal(t, key, rc.Key(rowsA[i], rowsB[j]), "%s: pair %d, %d", name, i, j)
					require.Equal(t, key, c.Key(i, j), "%s: pair %d, %d", name, i, j)
					got := m.WeightTF(key, func(f int) (float64, bool) {
						if !useTF {
							return 0, false
						}
						return TFAdjustment(freq[f][FilterHash(rowsA[i][f])], total[f], sumSq[f]), true
					})
					require.Equal(t, w, got, "%s: pair %d, %d (tf %v)", name, i, j, useTF)
					require.Equal(t, p, m.Probability(got))
				}
			}
		}
	}
}

func TestSamplePairsIsSamplePatterns(t *testing.T) {
	var rows [][][]uint64
	for k := range 12 {
		rows = append(rows, [][]uint64{bitsVec(span(k, k+8)...)})
	}
	d := dataset([]string{"cognome"}, rows...)
	cmps := []Comparison{DefaultComparison("cognome", "")}
	c, err := NewComparer(cmps, d, d)
	require.NoError(t, err)
	want, err := SamplePatterns(context.Background(), c, 500, 9)
	require.NoError(t, err)
	got := PatternCounts{}
	for i, j := range SamplePairs(d.Len(), d.Len(), true, 500, 9) {
		require.NotEqual(t, i, j)
		got[c.Key(i, j)]++
	}
	require.Equal(t, want, got)
	for _, workers := range []int{2, 3} {
		par, err := SamplePatternsN(context.Background(), c, 500, 9, workers)
		require.NoError(t, err)
		require.Equal(t, want, par, "workers %d", workers)
	}
}

// TestSideCacheShares checks that comparers built through one SideCache
// give the keys of comparers built alone, for every pair of two datasets,
// and hold one copy of each dataset's meta.
func TestSideCacheShares(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	values := [][]uint64{bitsVec(span(0, 10)...), bitsVec(span(5, 15)...), bitsVec(span(40, 60)...)}
	fields := []string{"cognome", "nome", "data"}
	rows := func(n int) [][][]uint64 {
		var out [][][]uint64
		for range n {
			r := make([][]uint64, len(fields))
			for f := range r {
				if rng.IntN(5) > 0 {
					r[f] = values[rng.IntN(len(values))]
				}
			}
			out = append(out, r)
		}
		return out
	}
	a, b := dataset(fields, rows(25)...), dataset(fields, rows(15)...)
	cmps := []Comparison{DefaultComparison("cognome", ""), DefaultComparison("nome", "data"), DefaultComparison("data", "")}
	cache := &SideCache{}
	for _, pair := range [][2]*encoding.Dataset{{a, a}, {a, b}, {b, b}} {
		alone, err := NewComparer(cmps, pair[0], pair[1])
		require.NoError(t, err)
		shared, err := NewComparerShared(cmps, pair[0], pair[1], cache)
		require.NoError(t, err)
		for i := range pair[0].Len() {
			for j := range pair[1].Len() {
				require.Equal(t, alone.Key(i, j), shared.Key(i, j), "pair %d, %d", i, j)
			}
		}
	}
	require.Len(t, cache.entries, 2)
	for d, es := range cache.entries {
		require.Len(t, es, 1, "dataset of %d records prepared once", d.Len())
	}
}
