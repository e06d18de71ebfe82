package audit

import (
	"math"
	"testing"

	"github.com/welfare-district/swd/internal/bitvec"
)

func TestColumnExposure(t *testing.T) {
	tests := []struct {
		name    string
		values  []string
		want    float64 // expected records identified
		present int
		largest int
	}{
		{"all distinct", []string{"a", "b", "c", "d"}, 0, 4, 1},
		{"one frequent value", []string{"a", "a", "a", "b", "c"}, 3, 5, 3},
		// Two groups of two cannot be told apart: each is right half the time.
		{"tied groups", []string{"a", "a", "b", "b", "c"}, 2, 5, 2},
		{"distinct sizes", []string{"a", "a", "a", "b", "b", "c"}, 5, 6, 3},
		{"missing values ignored", []string{"", "", "", "a", "b"}, 0, 2, 1},
		{"small domain", []string{"m", "f", "f", "m", "f"}, 5, 5, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ColumnExposure("c", tt.values)
			if math.Abs(e.Exposed-tt.want) > 1e-9 || e.Present != tt.present || e.Largest != tt.largest {
				t.Fatalf("got %+v, want exposed %g, present %d, largest %d", e, tt.want, tt.present, tt.largest)
			}
			if want := tt.want / float64(len(tt.values)); math.Abs(e.Rate-want) > 1e-9 {
				t.Errorf("rate %g, want %g", e.Rate, want)
			}
		})
	}
}

func TestFilterExposure(t *testing.T) {
	a := bitvec.NewArena(0, 128)
	for _, w := range [][]uint64{{1, 0}, {1, 0}, {1, 0}, {2, 0}, {0, 2}, {0, 2}} {
		a.Append(w)
	}
	// With the last record absent: a group of 3 and two singletons, so
	// three records are exposed; counting it, the group of 2 is exposed too.
	present := []bool{true, true, true, true, true, false}
	e := FilterExposure("f", a, present)
	if e.Present != 5 || e.Distinct != 3 || e.Largest != 3 || e.Exposed != 3 {
		t.Fatalf("got %+v", e)
	}
	if e := FilterExposure("f", a, nil); e.Exposed != 5 {
		t.Fatalf("without present: %+v", e)
	}
}
