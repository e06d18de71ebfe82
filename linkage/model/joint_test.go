package model

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// swappedNamesTruth: given name and surname are swapped in 20% of the
// matches, so both disagree together; among non-matches they are
// independent.
type swappedNamesTruth struct {
	cmps   []Comparison
	lambda float64
}

func newSwappedNamesTruth() swappedNamesTruth {
	return swappedNamesTruth{
		cmps: []Comparison{
			{Field: "nome", Exact: true, Group: GroupName, Anchor: true},
			{Field: "cognome", Exact: true, Group: GroupName, Anchor: true},
			{Field: "data_nascita", Exact: true, Anchor: true},
			{Field: "telefono", Exact: true},
			{Field: "cap", Exact: true},
		},
		lambda: 0.05,
	}
}

// Agreement probabilities of the fields other than the names, among
// matches and non-matches: birth date, phone, postcode.
var (
	swapM = [3]float64{0.95, 0.7, 0.9}
	swapU = [3]float64{0.02, 0.01, 0.1}
)

// posterior is the true P(match | levels) (levels 1 = else, 2 = exact;
// others: birth date, phone, postcode).
func (t swappedNamesTruth) posterior(given, surname int, others ...int) float64 {
	m := t.lambda * map[[2]int]float64{{2, 2}: 0.78, {1, 1}: 0.2, {1, 2}: 0.01, {2, 1}: 0.01}[[2]int{given, surname}]
	uf := func(l int) float64 { return map[int]float64{2: 0.08, 1: 0.92}[l] }
	u := (1 - t.lambda) * uf(given) * uf(surname)
	for k, l := range others {
		if l == 2 {
			m, u = m*swapM[k], u*swapU[k]
		} else {
			m, u = m*(1-swapM[k]), u*(1-swapU[k])
		}
	}
	return m / (m + u)
}

func (t swappedNamesTruth) simulate(n int, seed uint64) PatternCounts {
	rng := rand.New(rand.NewPCG(seed, 2))
	pc := PatternCounts{}
	for range n {
		lv := make([]int, 5)
		if rng.Float64() < t.lambda {
			switch x := rng.Float64(); {
			case x < 0.78:
				lv[0], lv[1] = 2, 2
			case x < 0.98:
				lv[0], lv[1] = 1, 1
			case x < 0.99:
				lv[0], lv[1] = 1, 2
			default:
				lv[0], lv[1] = 2, 1
			}
			for k := range swapM {
				lv[2+k] = 1 + b2i(rng.Float64() < swapM[k])
			}
		} else {
			lv[0], lv[1] = 1+b2i(rng.Float64() < 0.08), 1+b2i(rng.Float64() < 0.08)
			for k := range swapU {
				lv[2+k] = 1 + b2i(rng.Float64() < swapU[k])
			}
		}
		pc.Add(EncodePattern(t.cmps, lv), 1)
	}
	return pc
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestJointComparisonCalibration: two grouped fields that disagree together
// among matches are fitted jointly, and the posterior of "both names
// disagree, birth date agrees" is right; compared one by one, the
// disagreement is counted twice and the posterior falls far below the
// truth.
func TestJointComparisonCalibration(t *testing.T) {
	tr := newSwappedNamesTruth()
	pc := tr.simulate(400_000, 7)
	joint, err := Fit(context.Background(), tr.cmps, pc, nil, EMConfig{UpdateU: true, NoAnchors: true})
	require.NoError(t, err)
	require.Len(t, joint.Joints, 1)
	require.Equal(t, [2]int{0, 1}, joint.Joints[0].Fields)
	apart, err := Fit(context.Background(), tr.cmps, pc, nil, EMConfig{UpdateU: true, NoAnchors: true, NoJoints: true})
	require.NoError(t, err)
	require.Empty(t, apart.Joints)

	swapped := EncodePattern(tr.cmps, []int{1, 1, 2, 2, 1})
	want := tr.posterior(1, 1, 2, 2, 1)
	require.InDelta(t, want, joint.Posterior(swapped), 0.03, "joint fit")
	t.Logf("swapped: truth %.3f joint %.3f apart %.3f", want, joint.Posterior(swapped), apart.Posterior(swapped))
	require.Less(t, apart.Posterior(swapped), want-0.2, "independent fields count the swap twice")
	for _, lv := range [][5]int{{2, 2, 2, 2, 2}, {2, 2, 1, 1, 2}, {1, 2, 2, 1, 2}, {1, 1, 1, 2, 2}, {1, 1, 2, 1, 2}} {
		k := EncodePattern(tr.cmps, lv[:])
		require.InDelta(t, tr.posterior(lv[0], lv[1], lv[2:]...), joint.Posterior(k), 0.03, "levels %v", lv)
	}
	// With one of the two missing, the other weighs on its own.
	oneMissing := EncodePattern(tr.cmps, []int{0, 2, 2, 0, 0})
	require.Equal(t, joint.Fields[1].Levels[2].Weight+joint.Fields[2].Levels[2].Weight, joint.Weight(oneMissing))

	// The joint survives the model file.
	var buf bytes.Buffer
	require.NoError(t, joint.Encode(&buf))
	back, err := Decode(&buf, "model.json")
	require.NoError(t, err)
	require.InDelta(t, joint.Posterior(swapped), back.Posterior(swapped), 1e-12)
}

func TestJointPairs(t *testing.T) {
	cmps := []Comparison{
		{Field: "a", Exact: true, Group: "g"},
		{Field: "b", Exact: true},
		{Field: "c", Exact: true, Group: "g"},
		{Field: "d", Exact: true, Group: "three"},
		{Field: "e", Exact: true, Group: "three"},
		{Field: "f", Exact: true, Group: "three"},
		{Field: "h", Exact: true, Group: "alone"},
	}
	require.Equal(t, [][2]int{{0, 2}}, jointPairs(cmps), "only groups of exactly two")
	big := []Comparison{
		{Field: "x", Thresholds: []float64{.1, .2, .3, .4, .5, .6, .7, .8}, Exact: true, Group: "g"},
		{Field: "y", Thresholds: []float64{.1, .2, .3, .4, .5, .6, .7, .8}, Exact: true, Group: "g"},
	}
	require.Empty(t, jointPairs(big), "more than 64 combinations")
}

func TestJointValidate(t *testing.T) {
	tr := newSwappedNamesTruth()
	m, err := Fit(context.Background(), tr.cmps, tr.simulate(20_000, 3), nil, EMConfig{UpdateU: true})
	require.NoError(t, err)
	require.NoError(t, m.Validate())
	bad := *m
	bad.Joints = []Joint{{Fields: [2]int{0, 2}, Cells: m.Joints[0].Cells}}
	require.Error(t, bad.Validate(), "fields of different groups")
	bad.Joints = []Joint{{Fields: [2]int{0, 1}, Cells: m.Joints[0].Cells[:2]}}
	require.Error(t, bad.Validate(), "cells missing")
}

// TestTermFrequencyAdjustmentIsRelative: with every value equally frequent
// the adjustment is zero; a value k times rarer than the typical agreement
// gains log2(k).
func TestTermFrequencyAdjustmentIsRelative(t *testing.T) {
	var rows [][][]uint64
	for v := range 4 {
		for range 5 {
			rows = append(rows, [][]uint64{bitsVec(v)})
		}
	}
	d := dataset([]string{"cognome"}, rows...)
	c, err := NewComparer([]Comparison{DefaultComparison("cognome", "")}, d, d)
	require.NoError(t, err)
	for _, w := range termFrequencyAdjustments(c.a[0], c.b[0], true) {
		require.InDelta(t, 0, w, 1e-12)
	}
	rows = append(rows, [][]uint64{bitsVec(40)})
	d = dataset([]string{"cognome"}, rows...)
	c, err = NewComparer([]Comparison{DefaultComparison("cognome", "")}, d, d)
	require.NoError(t, err)
	adj := termFrequencyAdjustments(c.a[0], c.b[0], true)
	// Σp² = (4·25 + 1)/21²; p(rare) = 1/21: adjustment log2(101/21).
	require.InDelta(t, math.Log2(101.0/21), adj[20], 1e-12)
	require.InDelta(t, math.Log2(101.0/(21*5)), adj[0], 1e-12)
}

// TestSaltedFieldIncomparable: a field salted by another is missing for a
// pair whose salt is present on one side only (the filters were salted
// differently), and compared as usual otherwise.
func TestSaltedFieldIncomparable(t *testing.T) {
	name := bitsVec(span(0, 10)...)
	year := bitsVec(50)
	a := dataset([]string{"nome", "data"}, [][]uint64{name, year}, [][]uint64{name, nil})
	b := dataset([]string{"nome", "data"}, [][]uint64{name, year}, [][]uint64{bitsVec(span(20, 30)...), nil})
	cmps := []Comparison{{Field: "nome", Exact: true, SaltedBy: "data"}, {Field: "data", Exact: true}}
	c, err := NewComparer(cmps, a, b)
	require.NoError(t, err)
	require.Equal(t, 2, c.Level(0, 0, 0), "both salted: exact")
	require.Equal(t, 0, c.Level(0, 0, 1), "salt on one side only: missing")
	require.Equal(t, 0, c.Level(0, 1, 0), "salt on one side only: missing")
	require.Equal(t, 1, c.Level(0, 1, 1), "neither salted: compared")
	cmps[0].SaltedBy = ""
	c, err = NewComparer(cmps, a, b)
	require.NoError(t, err)
	require.Equal(t, 2, c.Level(0, 1, 0), "without SaltedBy the filters are compared: identical")
}

// TestRefitLambda: with m and u fitted on one mixture, the prior of another
// set of pairs drawn with a different match rate is recovered; counted
// among a larger space of non-matches, it scales down.
func TestRefitLambda(t *testing.T) {
	tr := threeFieldTruth()
	m, err := Fit(context.Background(), tr.cmps, tr.simulate(200_000, 1), nil, EMConfig{UpdateU: true})
	require.NoError(t, err)
	require.InDelta(t, 0.05, m.Lambda, 0.005)
	tr.lambda = 0.01
	rare := tr.simulate(200_000, 2)
	require.InDelta(t, 0.01, m.RefitLambda(rare, 0), 0.002)
	// Among ten times the pairs, the other pairs non-matches: a fixed
	// point of λ = Σ posterior / space, below a tenth of the first.
	l := m.RefitLambda(rare, 2_000_000)
	var matches float64
	for k, n := range rare {
		matches += float64(n) / (1 + math.Exp2(-(m.Weight(k) + LogOdds(l))))
	}
	require.InDelta(t, l, matches/2_000_000, 1e-8)
	require.Less(t, l, 0.001+1e-4)
	require.Equal(t, m.Lambda, m.RefitLambda(PatternCounts{}, 0), "no pairs: the model's own")
}

func TestIndicators(t *testing.T) {
	cmps := []Comparison{
		{Field: "nome", Exact: true, Group: GroupName, Anchor: true},
		{Field: "cognome", Exact: true, Group: GroupName, Anchor: true},
		{Field: "comune", Exact: true},
		{Field: "cap", Exact: true},
	}
	anchors := anchorMask(cmps, EMConfig{})
	require.Equal(t, 1, indicators(cmps, anchors, EMConfig{}), "two names jointly: one indicator")
	require.Equal(t, 2, indicators(cmps, anchors, EMConfig{NoJoints: true}))
	require.Equal(t, 3, indicators(cmps, nil, EMConfig{}))
}

// TestScorerAppliesJoints: the scorer's weight of a pair is the model's
// weight of its pattern, joint cells included.
func TestScorerAppliesJoints(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	rows := func(n int) [][][]uint64 {
		var out [][][]uint64
		for range n {
			row := make([][]uint64, 3)
			for f := range row {
				if r.Float64() < 0.1 {
					continue // missing
				}
				row[f] = bitsVec(span(r.IntN(4)*8, r.IntN(4)*8+12)...)
			}
			out = append(out, row)
		}
		return out
	}
	fields := []string{"nome", "cognome", "cap"}
	a, b := dataset(fields, rows(40)...), dataset(fields, rows(40)...)
	cmps := []Comparison{DefaultComparison("nome", KindName), DefaultComparison("cognome", KindName), DefaultComparison("cap", KindPostcode)}
	require.Equal(t, GroupName, cmps[0].Group)
	c, err := NewComparer(cmps, a, b)
	require.NoError(t, err)
	pc, err := c.Count(context.Background(), allPairs(a.Len(), b.Len()))
	require.NoError(t, err)
	m, err := Fit(context.Background(), cmps, pc, nil, EMConfig{UpdateU: true, NoAnchors: true})
	require.NoError(t, err)
	require.Len(t, m.Joints, 1)
	sc, err := NewScorer(m, a, b, false)
	require.NoError(t, err)
	for i := range a.Len() {
		for j := range b.Len() {
			key, w := sc.Weigh(i, j)
			require.InDelta(t, m.Weight(key), w, 1e-9)
		}
	}
}

func TestGroupBySalt(t *testing.T) {
	cmps := []Comparison{
		DefaultComparison("nome", KindName),
		DefaultComparison("cognome", KindName),
		DefaultComparison("data_nascita", KindDate),
		DefaultComparison("indirizzo", KindAddress),
		DefaultComparison("cap", KindPostcode),
	}
	cmps[0].SaltedBy, cmps[1].SaltedBy = "data_nascita", "data_nascita"
	GroupBySalt(cmps)
	require.Equal(t, "salt:data_nascita", cmps[0].Group)
	require.Equal(t, "salt:data_nascita", cmps[2].Group)
	require.Equal(t, GroupName, cmps[1].Group, "left alone in its group: compared on its own")
	require.Equal(t, [][2]int{{0, 2}, {3, 4}}, jointPairs(cmps))

	unsalted := []Comparison{DefaultComparison("nome", KindName), DefaultComparison("cognome", KindName)}
	GroupBySalt(unsalted)
	require.Equal(t, [][2]int{{0, 1}}, jointPairs(unsalted), "unsalted names stay joint")
}
