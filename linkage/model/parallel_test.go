package model

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParallelSameResultWhateverWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var rows [][][]uint64
	for range 300 {
		r := make([][]uint64, 2)
		for f := range r {
			if rng.IntN(10) > 0 {
				r[f] = bitsVec(rng.IntN(64), rng.IntN(64), rng.IntN(64), rng.IntN(64))
			}
		}
		rows = append(rows, r)
	}
	d := dataset([]string{"nome", "cognome"}, rows...)
	cmps := DefaultComparisons([]string{"nome", "cognome"}, nil)
	c, err := NewComparer(cmps, d, d)
	require.NoError(t, err)
	n := 300 * 299
	pair := func(k int) (int, int) { return k / 299, (k%299 + 1 + k/299) % 300 }
	serial, err := c.CountN(context.Background(), n, pair, 1)
	require.NoError(t, err)
	require.Equal(t, int64(n), serial.Total())
	m, err := Fit(context.Background(), cmps, serial, nil, EMConfig{UpdateU: true})
	require.NoError(t, err)
	sc, err := NewScorer(m, d, d, true)
	require.NoError(t, err)
	want := make([]float64, n)
	require.NoError(t, sc.ScoreN(context.Background(), n, pair, 1, func(k int, _ uint64, w, _ float64) { want[k] = w }))
	for _, workers := range []int{2, 3, 8} {
		par, err := c.CountN(context.Background(), n, pair, workers)
		require.NoError(t, err)
		require.Equal(t, serial, par, "workers %d", workers)
		got := make([]float64, n)
		require.NoError(t, sc.ScoreN(context.Background(), n, pair, workers, func(k int, _ uint64, w, _ float64) { got[k] = w }))
		require.Equal(t, want, got, "workers %d", workers)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.CountN(ctx, n, pair, 4)
	require.ErrorIs(t, err, context.Canceled)
}
