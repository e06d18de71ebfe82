package incremental

import (
	"math"
	"testing"

	"github.com/welfare-district/swd/linkage/model"
)

func TestDrift(t *testing.T) {
	m := &model.Model{Fields: []model.FieldParams{{Comparison: model.Comparison{Field: "name"},
		Levels: []model.Level{{}, {M: 0.1}, {M: 0.2}, {M: 0.7}}}}}
	tests := []struct {
		name   string
		counts []int64
		tv     float64
	}{
		{"as fitted", []int64{50, 10, 20, 70}, 0},
		{"all at the weakest level", []int64{0, 100, 0, 0}, 0.9},
		{"no link", []int64{0, 0, 0, 0}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := drift(m, levelCounts{tc.counts})
			if math.Abs(d[0].TV-tc.tv) > 1e-9 || d[0].Field != "name" {
				t.Fatalf("drift %+v, want TV %g", d[0], tc.tv)
			}
		})
	}
}
