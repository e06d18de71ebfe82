package incremental

import (
	"math"

	"github.com/welfare-district/swd/linkage/model"
)

// FieldDrift compares, for one field, the comparison levels of the links
// accepted among the fresh records with the model's m (both without the
// missing level): TV is their total variation distance, 0 when the new
// matches look like those the model was fitted on, 1 when they share
// nothing.
type FieldDrift struct {
	Field string  `json:"field"`
	Links int     `json:"links"` // accepted fresh links with the field present
	TV    float64 `json:"tv"`
}

// levelCounts counts comparison levels per field.
type levelCounts [][]int64

func newLevelCounts(m *model.Model) levelCounts {
	c := make(levelCounts, len(m.Fields))
	for f, fp := range m.Fields {
		c[f] = make([]int64, len(fp.Levels))
	}
	return c
}

func (c levelCounts) add(o levelCounts) {
	for f := range c {
		for l := range c[f] {
			c[f][l] += o[f][l]
		}
	}
}

// drift compares the counts with the model's m, field by field.
func drift(m *model.Model, c levelCounts) []FieldDrift {
	out := make([]FieldDrift, len(m.Fields))
	for f, fp := range m.Fields {
		var n int64
		var mSum float64
		for l := 1; l < len(fp.Levels); l++ {
			n += c[f][l]
			mSum += fp.Levels[l].M
		}
		out[f] = FieldDrift{Field: fp.Field, Links: int(n)}
		if n == 0 || mSum == 0 {
			continue
		}
		var tv float64
		for l := 1; l < len(fp.Levels); l++ {
			tv += math.Abs(float64(c[f][l])/float64(n) - fp.Levels[l].M/mSum)
		}
		out[f].TV = tv / 2
	}
	return out
}
