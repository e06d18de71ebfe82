package model

import (
	"context"
	"iter"
	"testing"

	"github.com/stretchr/testify/require"
)

func allPairs(na, nb int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for i := range na {
			for j := range nb {
				if !yield(i, j) {
					return
				}
			}
		}
	}
}

func TestTermFrequencyOrdering(t *testing.T) {
	common := bitsVec(span(0, 10)...)
	rare := bitsVec(span(20, 30)...)
	other := bitsVec(span(40, 50)...)
	var rowsA, rowsB [][][]uint64
	for range 8 {
		rowsA = append(rowsA, [][]uint64{common})
		rowsB = append(rowsB, [][]uint64{common})
	}
	rowsA = append(rowsA, [][]uint64{rare}, [][]uint64{other})
	rowsB = append(rowsB, [][]uint64{rare}, [][]uint64{other}, [][]uint64{other})
	a, b := dataset([]string{"cognome"}, rowsA...), dataset([]string{"cognome"}, rowsB...)
	cmps := []Comparison{DefaultComparison("cognome", "")}
	cmps[0].TF = true
	c, err := NewComparer(cmps, a, b)
	require.NoError(t, err)
	u, err := EstimateU(context.Background(), c, 5000, 1)
	require.NoError(t, err)
	pc, err := c.Count(context.Background(), allPairs(a.Len(), b.Len()))
	require.NoError(t, err)
	m, err := Fit(context.Background(), cmps, pc, u, EMConfig{UpdateU: true})
	require.NoError(t, err)

	plain, err := NewScorer(m, a, b, false)
	require.NoError(t, err)
	tf, err := NewScorer(m, a, b, true)
	require.NoError(t, err)
	_, wCommon, _ := tf.Score(0, 0) // 16 of 23 filters
	_, wOther, _ := tf.Score(9, 9)  // 3 of 23
	_, wRare, pRare := tf.Score(8, 8)
	_, wPlain, pPlain := plain.Score(8, 8)
	require.Greater(t, wRare, wOther)
	require.Greater(t, wOther, wCommon)
	require.Greater(t, pRare, pPlain-1e-12)
	_, wPlainCommon, _ := plain.Score(0, 0)
	require.Equal(t, wPlain, wPlainCommon, "without TF every exact agreement weighs the same")
	// Disagreements are not adjusted.
	key, w, _ := tf.Score(0, 8)
	require.Equal(t, m.Weight(key), w)
	_ = wPlain
}

func TestEstimateU(t *testing.T) {
	var rows [][][]uint64
	for i := range 50 {
		rows = append(rows, [][]uint64{bitsVec(i%7, 10+i%5, 20+i%3), bitsVec(i % 2)})
	}
	rows = append(rows, [][]uint64{nil, nil})
	d := dataset([]string{"nome", "sesso"}, rows...)
	cmps := []Comparison{DefaultComparison("nome", ""), DefaultComparison("sesso", "")}
	c, err := NewComparer(cmps, d, d)
	require.NoError(t, err)
	u1, err := EstimateU(context.Background(), c, 20_000, 5)
	require.NoError(t, err)
	u2, err := EstimateU(context.Background(), c, 20_000, 5)
	require.NoError(t, err)
	require.Equal(t, u1, u2, "same seed, same u")
	for f := range u1 {
		require.Equal(t, 0.0, u1[f][0])
		sum := 0.0
		for _, p := range u1[f][1:] {
			require.Greater(t, p, 0.0)
			sum += p
		}
		require.InDelta(t, 1, sum, 1e-12)
	}
	// sex: two values equally frequent → about half the pairs agree.
	require.InDelta(t, 0.5, u1[1][2], 0.03)

	_, err = EstimateU(context.Background(), c, 0, 5)
	require.Error(t, err)
}

func TestComparerErrors(t *testing.T) {
	a := dataset([]string{"nome"}, [][]uint64{bitsVec(1)})
	b := dataset([]string{"cognome"}, [][]uint64{bitsVec(1)})
	_, err := NewComparer([]Comparison{DefaultComparison("nome", "")}, a, b)
	require.Error(t, err)
	require.Contains(t, err.Error(), `"nome"`)
}
