package audit

import (
	"math"
	"testing"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

func TestJointUniqueness(t *testing.T) {
	for _, tc := range []struct {
		name           string
		cols           [][]string
		unique, below5 float64
		classes        int
	}{
		{"one column", [][]string{{"a", "a", "b", "c", "c", "c"}}, 1.0 / 6, 1, 3},
		{"two columns split classes", [][]string{{"a", "a", "a", "a", "a"}, {"x", "x", "y", "y", "z"}}, 1.0 / 5, 1, 3},
		{"k = 5 is not below 5", [][]string{{"a", "a", "a", "a", "a", "b"}}, 1.0 / 6, 1.0 / 6, 2},
		{"missing is a value", [][]string{{"", "", "a"}}, 1.0 / 3, 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cols []QIColumn
			for i, c := range tc.cols {
				cols = append(cols, QIColumn{Name: string(rune('p' + i)), Values: c})
			}
			u := JointUniqueness(cols)
			if math.Abs(u.Unique-tc.unique) > 1e-9 || math.Abs(u.Below5-tc.below5) > 1e-9 || u.Classes != tc.classes {
				t.Fatalf("got %+v, want unique %.3f below5 %.3f classes %d", u, tc.unique, tc.below5, tc.classes)
			}
		})
	}
}

// TestLinkageUnitView: the household id counts as the household's size,
// needs in any order are one value, filters with few values join the
// tuple, and each step adds columns.
func TestLinkageUnitView(t *testing.T) {
	ds := &encoding.Dataset{
		RecordIDs: []string{"1", "2", "3", "4"},
		CLK:       bitvec.NewArena(4, 64),
		Attrs: []encoding.StringColumn{
			{Name: "district", Values: []string{"1", "1", "1", "2"}},
			{Name: "needs", Values: []string{"a;b", "b;a", "c", "c"}},
			{Name: "household", Values: []string{"h1", "h1", "h2", "h3"}},
		},
		Fields: []encoding.FieldColumn{{FieldSpec: encoding.FieldSpec{Name: "sex", Bits: 64},
			Filters: bitvec.Arena{Words: 1, Data: []uint64{1, 2, 1, 1}}, Present: []bool{true, true, true, true}}},
		BlockKeys: []encoding.StringColumn{{Name: "k", Values: []string{"x", "y", "z", "w"}}},
	}
	v := LinkageUnitView(ds, nil, UniquenessOptions{})
	if len(v) != 4 {
		t.Fatalf("%d steps: %+v", len(v), v)
	}
	// district + needs + household size: (1,a;b,2) twice, (1,c,1), (2,c,1).
	if v[0].Classes != 3 || v[0].Unique != 0.5 {
		t.Fatalf("attributes: %+v", v[0])
	}
	if v[0].Columns[2] != "household_size(a_household)" {
		t.Fatalf("columns %v", v[0].Columns)
	}
	// + sex splits the pair.
	if v[1].Unique != 1 || v[2].Unique != 1 {
		t.Fatalf("with filters and keys: %+v", v[1:])
	}
	// The last step is everything the linkage unit holds, the CLK too.
	if last := v[3]; last.Columns[len(last.Columns)-1] != "clk" || len(last.Columns) != len(v[2].Columns)+1 {
		t.Fatalf("everything: %v", last.Columns)
	}
}
