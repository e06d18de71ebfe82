package model

import (
	"math/rand/v2"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

// bitsVec returns a 64-bit filter with the given bits set.
func bitsVec(bs ...int) []uint64 {
	v := make([]uint64, 1)
	for _, b := range bs {
		bitvec.Set(v, b)
	}
	return v
}

// span returns bits lo..hi-1.
func span(lo, hi int) []int {
	var out []int
	for b := lo; b < hi; b++ {
		out = append(out, b)
	}
	return out
}

// dataset builds a one-word-per-field dataset; a nil filter is missing.
func dataset(fields []string, rows ...[][]uint64) *encoding.Dataset {
	d := &encoding.Dataset{}
	for f, name := range fields {
		col := encoding.FieldColumn{FieldSpec: encoding.FieldSpec{Name: name, Bits: 64}, Filters: bitvec.NewArena(0, 64)}
		for _, r := range rows {
			if r[f] == nil {
				col.Filters.Append(make([]uint64, 1))
				col.Present = append(col.Present, false)
			} else {
				col.Filters.Append(r[f])
				col.Present = append(col.Present, true)
			}
		}
		d.Fields = append(d.Fields, col)
	}
	for range rows {
		d.RecordIDs = append(d.RecordIDs, "r")
	}
	return d
}

// truth is a known model to simulate pattern counts from.
type truth struct {
	cmps   []Comparison
	m, u   [][]float64 // [f][l], l ≥ 1
	miss   []float64   // P(field missing)
	lambda float64
}

// simulate draws n pairs' patterns from t.
func (t truth) simulate(n int, seed uint64) PatternCounts {
	rng := rand.New(rand.NewPCG(seed, 1))
	pc := PatternCounts{}
	levels := make([]int, len(t.cmps))
	draw := func(p []float64) int {
		x := rng.Float64()
		for l := 1; l < len(p); l++ {
			if x -= p[l]; x < 0 {
				return l
			}
		}
		return len(p) - 1
	}
	for range n {
		match := rng.Float64() < t.lambda
		for f := range t.cmps {
			switch {
			case rng.Float64() < t.miss[f]:
				levels[f] = 0
			case match:
				levels[f] = draw(t.m[f])
			default:
				levels[f] = draw(t.u[f])
			}
		}
		pc.Add(EncodePattern(t.cmps, levels), 1)
	}
	return pc
}

func threeFieldTruth() truth {
	return truth{
		cmps: []Comparison{
			{Field: "nome", Thresholds: []float64{0.6, 0.75, 0.9}, Exact: true},
			{Field: "data_nascita", Thresholds: []float64{0.6, 0.8}, Exact: true},
			{Field: "sesso", Exact: true},
		},
		m: [][]float64{
			{0, 0.02, 0.03, 0.05, 0.1, 0.8},
			{0, 0.03, 0.05, 0.12, 0.8},
			{0, 0.04, 0.96},
		},
		u: [][]float64{
			{0, 0.85, 0.08, 0.04, 0.02, 0.01},
			{0, 0.6, 0.3, 0.08, 0.02},
			{0, 0.5, 0.5},
		},
		miss:   []float64{0.02, 0.05, 0.1},
		lambda: 0.05,
	}
}
