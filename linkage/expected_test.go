package linkage

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/welfare-district/swd/linkage/model"
)

func TestThresholdCurve(t *testing.T) {
	h := newScoreHist(0.5)
	add := func(w float64, n int, p float64) {
		for range n {
			h.add(w, p)
		}
	}
	add(-0.5, 10, 0.1) // 1 expected match in [-1, 0)
	add(0.5, 4, 0.75)  // 3 in [0, 1)
	add(2.5, 5, 1)     // 5 in [2, 3)
	c := thresholdCurve(h.bins, h.sumP)
	at := func(w float64) ThresholdPoint {
		for _, p := range c {
			if p.Weight == w {
				return p
			}
		}
		t.Fatalf("no point at weight %g", w)
		return ThresholdPoint{}
	}
	p := at(0)
	require.Equal(t, int64(9), p.Accepted)
	require.InDelta(t, 0.5, p.Threshold, 1e-12)
	require.InDelta(t, 8.0/9, p.Precision, 1e-12)
	require.InDelta(t, 8.0/9, p.Recall, 1e-12)
	p = at(1)
	require.InDelta(t, 1, p.Precision, 1e-12)
	require.InDelta(t, 5.0/9, p.Recall, 1e-12)
	p = at(-1)
	require.Equal(t, int64(19), p.Accepted)
	require.InDelta(t, 9.0/19, p.Precision, 1e-12)
	require.InDelta(t, 1, p.Recall, 1e-12)
	require.Len(t, c, curveHi-curveLo+1)
	for k := 1; k < len(c); k++ {
		require.Greater(t, c[k].Weight, c[k-1].Weight)
	}
}

// TestThresholdCurveCalibration: on pairs whose labels are drawn from
// calibrated posteriors, the curve's expected precision and recall match
// the realised ones at every threshold.
func TestThresholdCurveCalibration(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	h := newScoreHist(0.5)
	type pair struct {
		w     float64
		match bool
	}
	var pairs []pair
	for range 300_000 {
		var w float64
		if r.Float64() < 0.05 {
			w = 12 + 6*r.NormFloat64()
		} else {
			w = -15 + 6*r.NormFloat64()
		}
		p := 1 / (1 + math.Exp2(-w))
		h.add(w, p)
		pairs = append(pairs, pair{w, r.Float64() < p})
	}
	var total float64
	for _, p := range pairs {
		if p.match {
			total++
		}
	}
	for _, pt := range thresholdCurve(h.bins, h.sumP) {
		var n, tp float64
		for _, p := range pairs {
			if p.w >= pt.Weight {
				n++
				if p.match {
					tp++
				}
			}
		}
		if n < 1000 {
			continue
		}
		require.InDelta(t, tp/n, pt.Precision, 0.005, "precision at weight %g", pt.Weight)
		require.InDelta(t, tp/total, pt.Recall, 0.005, "recall at weight %g", pt.Weight)
	}
}

func TestMissedByBlocking(t *testing.T) {
	cmps := []model.Comparison{
		{Field: "cf", Exact: true, Anchor: true},
		{Field: "sex", Exact: true, Anchor: true},
		{Field: "phone", Exact: true},
	}
	// u of the top level: cf rare, sex common (not identifying).
	u := [][]float64{{0, 0.999, 0.001}, {0, 0.5, 0.5}, {0, 0.99, 0.01}}
	ident := identifying(cmps, u)
	require.Equal(t, []bool{true, false, false}, ident)
	unident := unidentifiable(cmps, ident)
	key := func(l ...int) uint64 { return model.EncodePattern(cmps, l) }
	require.True(t, unident(key(0, 2, 2)), "no fiscal code on one side")
	require.False(t, unident(key(1, 0, 0)), "fiscal codes compared")

	// 10% of random pairs have no comparable fiscal code.
	j := &job{random: model.PatternCounts{key(0, 1, 1): 100, key(1, 1, 1): 900}}
	// Σp over the candidates 990, of which 10 without a comparable code:
	// 980 comparable matches are 90% of 1088.9, 108.9 are not, 98.9 missed.
	require.InDelta(t, 980/0.9*0.1-10, missedByBlocking(j, unident, 990, 10), 1e-9)
	require.Zero(t, missedByBlocking(j, unident, 990, 500), "more found than expected: none missed")
	require.Zero(t, missedByBlocking(&job{}, unident, 990, 10), "no sample")
}
