package model_test

import (
	"context"
	"fmt"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/model"
)

// filter returns a 64-bit field filter with bits lo..hi-1 set.
func filter(lo, hi int) []uint64 {
	v := make([]uint64, 1)
	for b := lo; b < hi; b++ {
		bitvec.Set(v, b)
	}
	return v
}

// dataset builds a one-field dataset whose record r has filter r*8..r*8+8,
// except that records in typo get a filter one bit off.
func dataset(n int, typo map[int]bool) *encoding.Dataset {
	col := encoding.FieldColumn{FieldSpec: encoding.FieldSpec{Name: "cognome", Bits: 64}, Filters: bitvec.NewArena(0, 64)}
	d := &encoding.Dataset{}
	for r := range n {
		v := filter(r%7*8, r%7*8+8)
		if typo[r] {
			bitvec.Set(v, (r%7*8+8)%64)
		}
		col.Filters.Append(v)
		col.Present = append(col.Present, true)
		d.RecordIDs = append(d.RecordIDs, fmt.Sprint(r))
	}
	d.Fields = []encoding.FieldColumn{col}
	return d
}

func Example() {
	a, b := dataset(70, nil), dataset(70, map[int]bool{3: true})
	cmps := []model.Comparison{{Field: "cognome", Thresholds: []float64{0.8}, Exact: true}}
	// Candidates: every pair (a tiny example; real candidates come from blocking).
	pairs := func(yield func(int, int) bool) {
		for i := range a.Len() {
			for j := range b.Len() {
				if !yield(i, j) {
					return
				}
			}
		}
	}
	m, err := model.Train(context.Background(), cmps, a, b, pairs, model.TrainConfig{USamples: 10_000, Seed: 1, EM: model.EMConfig{UpdateU: true}})
	if err != nil {
		fmt.Println(err)
		return
	}
	sc, _ := model.NewScorer(m, a, b, false)
	for _, p := range [][2]int{{0, 0}, {3, 3}, {0, 1}} {
		key, _, _ := sc.Score(p[0], p[1])
		level := model.DecodePattern(m.Comparisons(), key, nil)[0]
		fmt.Printf("pair %v: level %s, weight > 0: %v\n", p, cmps[0].LevelName(level), m.Weight(key) > 0)
	}
	// Output:
	// pair [0 0]: level exact, weight > 0: true
	// pair [3 3]: level dice>=0.8, weight > 0: true
	// pair [0 1]: level else, weight > 0: false
}
