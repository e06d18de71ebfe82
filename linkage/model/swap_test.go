package model

import (
	"testing"

	"github.com/welfare-district/swd/linkage/encoding"
)

// TestSwappedNames checks Comparison.SwapWith: a pair whose two fields were
// written in each other's places takes the crossed levels, in Comparer and
// RecordComparer alike, and a pair that agrees on either field as it
// stands, or lacks one, keeps its straight levels.
func TestSwappedNames(t *testing.T) {
	cmps := []Comparison{
		{Field: "given", Thresholds: []float64{0.6, 0.9}, Exact: true, SwapWith: "surname"},
		{Field: "surname", Thresholds: []float64{0.6, 0.9}, Exact: true},
		{Field: "sex", Exact: true},
	}
	mario, rossi := bitsVec(span(0, 10)...), bitsVec(span(20, 30)...)
	rossa := bitsVec(append(span(20, 29), 40)...) // Dice 0.9 with rossi
	male := bitsVec(1)
	a := dataset([]string{"given", "surname", "sex"},
		[][]uint64{mario, rossi, male},
	)
	b := dataset([]string{"given", "surname", "sex"},
		[][]uint64{rossi, mario, male},             // 0: swapped
		[][]uint64{mario, rossi, male},             // 1: as it stands
		[][]uint64{rossa, mario, male},             // 2: swapped, one typo
		[][]uint64{rossi, nil, male},               // 3: surname missing: no crossing
		[][]uint64{mario, mario, male},             // 4: given agrees as it stands
		[][]uint64{bitsVec(50), bitsVec(51), male}, // 5: nothing alike either way
	)
	tests := []struct {
		row                 int
		given, surname, sex int
	}{
		{0, 4, 4, 2},
		{1, 4, 4, 2},
		{2, 4, 3, 2},
		{3, 1, 0, 2},
		{4, 4, 1, 2},
		{5, 1, 1, 2},
	}
	c, err := NewComparer(cmps, a, b)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := NewRecordComparer(cmps)
	if err != nil {
		t.Fatal(err)
	}
	filters := func(d *encoding.Dataset, row int) [][]uint64 {
		var out [][]uint64
		for _, col := range d.Fields {
			if col.Present[row] {
				out = append(out, col.Filters.At(row))
			} else {
				out = append(out, nil)
			}
		}
		return out
	}
	for _, tt := range tests {
		want := EncodePattern(cmps, []int{tt.given, tt.surname, tt.sex})
		if got := c.Key(0, tt.row); got != want {
			t.Errorf("row %d: Comparer levels %v, want %v", tt.row, DecodePattern(cmps, got, nil), DecodePattern(cmps, want, nil))
		}
		fa, fb := filters(a, 0), filters(b, tt.row)
		if got := rc.Key(fa, fb); got != want {
			t.Errorf("row %d: RecordComparer levels %v, want %v", tt.row, DecodePattern(cmps, got, nil), DecodePattern(cmps, want, nil))
		}
	}
}

// TestSwapWithValidation checks that a swap must name another compared
// field, once.
func TestSwapWithValidation(t *testing.T) {
	tests := []struct {
		name string
		cmps []Comparison
		ok   bool
	}{
		{"ok", []Comparison{{Field: "a", Exact: true, SwapWith: "b"}, {Field: "b", Exact: true}}, true},
		{"unknown", []Comparison{{Field: "a", Exact: true, SwapWith: "c"}, {Field: "b", Exact: true}}, false},
		{"itself", []Comparison{{Field: "a", Exact: true, SwapWith: "a"}, {Field: "b", Exact: true}}, false},
		{"twice", []Comparison{{Field: "a", Exact: true, SwapWith: "b"}, {Field: "b", Exact: true, SwapWith: "a"}}, false},
	}
	for _, tt := range tests {
		if err := validateComparisons(tt.cmps); (err == nil) != tt.ok {
			t.Errorf("%s: error %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
