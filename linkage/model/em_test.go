package model

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEMRecoversKnownModel(t *testing.T) {
	tr := threeFieldTruth()
	counts := tr.simulate(400_000, 42)
	tests := []struct {
		name string
		u    [][]float64
		cfg  EMConfig
	}{
		{"fixed u", tr.u, EMConfig{}},
		{"refitted u from default shape", nil, EMConfig{UpdateU: true}},
		{"refitted u from sample", tr.u, EMConfig{UpdateU: true}},
		{"far initial lambda", tr.u, EMConfig{InitialLambda: 0.7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Fit(context.Background(), tr.cmps, counts, tt.u, tt.cfg)
			require.NoError(t, err)
			require.True(t, m.Converged)
			require.True(t, m.Identified)
			require.InDelta(t, tr.lambda, m.Lambda, 0.003)
			for f := range tr.cmps {
				for l := 1; l < tr.cmps[f].Levels(); l++ {
					require.InDelta(t, tr.m[f][l], m.Fields[f].Levels[l].M, 0.015, "m field %d level %d", f, l)
					require.InDelta(t, tr.u[f][l], m.Fields[f].Levels[l].U, 0.01, "u field %d level %d", f, l)
				}
			}
			require.Equal(t, int64(400_000), m.Pairs)
		})
	}
}

func TestEMConvergence(t *testing.T) {
	tr := threeFieldTruth()
	counts := tr.simulate(20_000, 7)
	m, err := Fit(context.Background(), tr.cmps, counts, tr.u, EMConfig{UpdateU: true})
	require.NoError(t, err)
	require.True(t, m.Converged)
	require.Less(t, m.Iterations, 1000)

	short, err := Fit(context.Background(), tr.cmps, counts, tr.u, EMConfig{MaxIterations: 2})
	require.NoError(t, err)
	require.False(t, short.Converged)
	require.Equal(t, 2, short.Iterations)

	// EM never decreases the likelihood (without smoothing, which makes
	// the M step a MAP step).
	prev := -1e300
	for it := 1; it <= 30; it++ {
		mm, err := Fit(context.Background(), tr.cmps, counts, tr.u, EMConfig{MaxIterations: it, Tolerance: 1e-300, Alpha: 1e-12})
		require.NoError(t, err)
		require.GreaterOrEqual(t, mm.LogLikelihood, prev-1e-6, "iteration %d", it)
		prev = mm.LogLikelihood
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Fit(ctx, tr.cmps, counts, tr.u, EMConfig{UpdateU: true})
	require.ErrorIs(t, err, context.Canceled)
}

func TestEMIdentifiability(t *testing.T) {
	tr := threeFieldTruth()
	counts := tr.simulate(100_000, 9)
	t.Run("swapped classes are swapped back", func(t *testing.T) {
		m, err := Fit(context.Background(), tr.cmps, counts, nil, EMConfig{UpdateU: true})
		require.NoError(t, err)
		want := *m
		// Swap the labels by hand, as EM would if it converged the wrong way.
		for f := range m.Fields {
			for l := range m.Fields[f].Levels {
				lv := &m.Fields[f].Levels[l]
				lv.M, lv.U = lv.U, lv.M
			}
		}
		m.Lambda = 1 - m.Lambda
		m.setWeights()
		require.Less(t, m.separation(), 0.0)
		m.checkIdentifiability()
		require.Greater(t, m.separation(), 0.0)
		require.InDelta(t, want.Lambda, m.Lambda, 1e-12)
		require.Contains(t, m.Warnings[0], "swapped")
		require.True(t, m.Identified)
	})
	t.Run("fixed u cannot swap: flagged", func(t *testing.T) {
		m, err := Fit(context.Background(), tr.cmps, counts, tr.u, EMConfig{})
		require.NoError(t, err)
		for f := range m.Fields { // a match class that prefers disagreement: m ∝ u²
			lv := m.Fields[f].Levels
			sum := 0.0
			for l := 1; l < len(lv); l++ {
				sum += lv[l].U * lv[l].U
			}
			for l := 1; l < len(lv); l++ {
				lv[l].M = lv[l].U * lv[l].U / sum
			}
		}
		m.setWeights()
		m.checkIdentifiability()
		require.False(t, m.Identified)
		require.NotEmpty(t, m.Warnings)
	})
	t.Run("non-monotone weights warn", func(t *testing.T) {
		m, err := Fit(context.Background(), tr.cmps, counts, tr.u, EMConfig{UpdateU: true})
		require.NoError(t, err)
		require.Empty(t, m.Warnings)
		lv := m.Fields[0].Levels
		lv[2].M, lv[3].M = lv[3].M*10, lv[2].M/10
		m.setWeights()
		m.checkIdentifiability()
		require.Len(t, m.Warnings, 1)
		require.Contains(t, m.Warnings[0], `"nome"`)
	})
	t.Run("Fit fails cleanly without pairs or u", func(t *testing.T) {
		_, err := Fit(context.Background(), tr.cmps, PatternCounts{}, tr.u, EMConfig{UpdateU: true})
		require.Error(t, err)
		_, err = Fit(context.Background(), tr.cmps, counts, nil, EMConfig{})
		require.Error(t, err)
		_, err = Fit(context.Background(), tr.cmps, counts, tr.u[:2], EMConfig{UpdateU: true})
		require.Error(t, err)
	})
}

func TestEMDeterministic(t *testing.T) {
	tr := threeFieldTruth()
	counts := tr.simulate(30_000, 11)
	// The same counts, merged from two halves in the other order.
	var keys []uint64
	for k := range counts {
		keys = append(keys, k)
	}
	merged := PatternCounts{}
	for i := len(keys) - 1; i >= 0; i-- {
		half := PatternCounts{keys[i]: counts[keys[i]] / 2}
		rest := PatternCounts{keys[i]: counts[keys[i]] - counts[keys[i]]/2}
		rest.Merge(half)
		merged.Merge(rest)
	}
	require.Equal(t, counts.Total(), merged.Total())
	a, err := Fit(context.Background(), tr.cmps, counts, tr.u, EMConfig{UpdateU: true})
	require.NoError(t, err)
	b, err := Fit(context.Background(), tr.cmps, merged, tr.u, EMConfig{UpdateU: true})
	require.NoError(t, err)
	require.Equal(t, a, b)
}

func TestEmptyLevelsWeighZero(t *testing.T) {
	tr := threeFieldTruth()
	counts := PatternCounts{}
	for k, n := range tr.simulate(50_000, 13) {
		if DecodePattern(tr.cmps, k, nil)[0] != 3 { // nobody at nome "dice>=0.75"
			counts[k] = n
		}
	}
	m, err := Fit(context.Background(), tr.cmps, counts, tr.u, EMConfig{UpdateU: true})
	require.NoError(t, err)
	lv := m.Fields[0].Levels
	require.True(t, lv[3].Empty)
	require.Zero(t, lv[3].Weight)
	require.False(t, lv[2].Empty)
	require.NotZero(t, lv[2].Weight)
	require.Greater(t, lv[3].M, 0.0, "smoothing keeps m positive")
}

// TestFixedUOnSimilarCandidates reproduces the failure that UpdateU guards
// against: candidates that are all fairly similar, with u from random
// pairs, make EM call everything a match; refitting u recovers.
func TestFixedUOnSimilarCandidates(t *testing.T) {
	tr := threeFieldTruth()
	// Candidates: the true matches plus non-matches that look like the
	// top-but-one levels (blocking let them in).
	blocked := tr
	blocked.u = [][]float64{
		{0, 0.1, 0.2, 0.4, 0.2, 0.1},
		{0, 0.2, 0.4, 0.3, 0.1},
		{0, 0.5, 0.5},
	}
	blocked.lambda = 0.2
	counts := blocked.simulate(100_000, 21)
	fixed, err := Fit(context.Background(), tr.cmps, counts, tr.u, EMConfig{})
	require.NoError(t, err)
	require.Greater(t, fixed.Lambda, 0.5)
	require.False(t, fixed.Identified)
	require.NotEmpty(t, fixed.Warnings)

	refit, err := Fit(context.Background(), tr.cmps, counts, tr.u, EMConfig{UpdateU: true})
	require.NoError(t, err)
	require.True(t, refit.Identified)
	require.InDelta(t, 0.2, refit.Lambda, 0.02)
}

func TestFixLambdaAndBackground(t *testing.T) {
	tr := threeFieldTruth()
	counts := tr.simulate(20_000, 23)
	m, err := Fit(context.Background(), tr.cmps, counts, tr.u, EMConfig{UpdateU: true, FixLambda: true, InitialLambda: 0.05})
	require.NoError(t, err)
	require.Equal(t, 0.05, m.Lambda)

	// Background pairs: a sample of 1,000 non-matches standing for 100,000.
	bgTruth := tr
	bgTruth.lambda = 0
	bg := bgTruth.simulate(1000, 24)
	withBG, err := Fit(context.Background(), tr.cmps, counts, tr.u, EMConfig{Background: bg, BackgroundWeight: 100})
	require.NoError(t, err)
	require.Equal(t, int64(100_000), withBG.BackgroundPairs)
	require.InDelta(t, 0.05*20_000/120_000, withBG.Lambda, 0.003, "λ is the match rate among all pairs")
}

// TestAnchorsFindPersonsNotHouseholds simulates blocked candidates with
// three latent classes — same person, same household (names and birth
// date differ, address agrees), unrelated — where the household class is
// the larger similar one. EM on every field finds "same address"; anchored
// on the identity fields it finds the persons.
func TestAnchorsFindPersonsNotHouseholds(t *testing.T) {
	cmps := []Comparison{
		{Field: "nome", Thresholds: []float64{0.8}, Exact: true, Anchor: true},
		{Field: "data_nascita", Thresholds: []float64{0.6}, Exact: true, Anchor: true},
		{Field: "indirizzo", Thresholds: []float64{0.8}, Exact: true},
		{Field: "cap", Exact: true},
		{Field: "telefono", Exact: true},
	}
	noMiss := []float64{0, 0, 0, 0, 0}
	differ := [][]float64{{0, 0.9, 0.07, 0.03}, {0, 0.85, 0.1, 0.05}}
	person := truth{cmps: cmps, lambda: 1, miss: noMiss,
		m: [][]float64{{0, 0.05, 0.15, 0.8}, {0, 0.03, 0.07, 0.9}, {0, 0.2, 0.2, 0.6}, {0, 0.3, 0.7}, {0, 0.5, 0.5}}}
	household := truth{cmps: cmps, lambda: 1, miss: noMiss,
		m: append(slices.Clone(differ), []float64{0, 0.01, 0.04, 0.95}, []float64{0, 0.02, 0.98}, []float64{0, 0.1, 0.9})}
	// Unrelated candidates were blocked on names: they often share one.
	unrelated := truth{cmps: cmps, lambda: 1, miss: noMiss,
		m: [][]float64{{0, 0.6, 0.1, 0.3}, {0, 0.7, 0.1, 0.2}, {0, 0.9, 0.08, 0.02}, {0, 0.8, 0.2}, {0, 0.999, 0.001}}}
	counts := person.simulate(5_000, 31)
	counts.Merge(household.simulate(15_000, 32))
	counts.Merge(unrelated.simulate(30_000, 33))
	u := unrelated.m

	plain, err := Fit(context.Background(), cmps, counts, u, EMConfig{UpdateU: true, NoAnchors: true})
	require.NoError(t, err)
	require.False(t, plain.Anchored)
	require.Greater(t, plain.Lambda, 0.3, "without anchors EM finds the address class")
	require.False(t, plain.anchorsRewarded())

	anchored, err := Fit(context.Background(), cmps, counts, u, EMConfig{UpdateU: true})
	require.NoError(t, err)
	require.True(t, anchored.Anchored)
	require.True(t, anchored.anchorsRewarded())
	require.Contains(t, anchored.Warnings[len(anchored.Warnings)-1], "anchor")

	// When the fit on every field already finds persons, it is kept.
	easy := person.simulate(5_000, 34)
	easy.Merge(unrelated.simulate(30_000, 35))
	kept, err := Fit(context.Background(), cmps, easy, u, EMConfig{UpdateU: true})
	require.NoError(t, err)
	require.False(t, kept.Anchored)
	require.InDelta(t, 0.1, anchored.Lambda, 0.06, "persons (0.1), not households (0.4)")
	// The address is measured on the anchored matches (among candidates
	// full of household pairs it is barely evidence), the names decide.
	require.Less(t, anchored.Fields[2].Levels[3].Weight, plain.Fields[2].Levels[3].Weight)
	require.Greater(t, anchored.Fields[0].Levels[3].Weight, plain.Fields[0].Levels[3].Weight+2)
}
