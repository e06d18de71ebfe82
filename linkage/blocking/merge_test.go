package blocking

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// pairs builds a pair list from I, J, I, J, ...
func pairs(ij ...uint32) []Pair {
	out := make([]Pair, 0, len(ij)/2)
	for k := 0; k+1 < len(ij); k += 2 {
		out = append(out, Pair{I: ij[k], J: ij[k+1]})
	}
	return out
}

func TestMergePacked(t *testing.T) {
	pack := func(ps []Pair) []uint64 {
		out := make([]uint64, len(ps))
		for k, p := range ps {
			out[k] = p.Pack()
		}
		return out
	}
	tests := []struct {
		name    string
		x, y    []Pair
		want    []Pair
		wantNil bool
	}{
		{"both empty", nil, nil, nil, true},
		{"x only", pairs(0, 1, 2, 0), nil, pairs(0, 1, 2, 0), false},
		{"y only", nil, pairs(0, 1, 2, 0), pairs(0, 1, 2, 0), false},
		{"interleaved, one shared", pairs(0, 1, 0, 3, 2, 2), pairs(0, 2, 0, 3, 5, 0),
			pairs(0, 1, 0, 2, 0, 3, 2, 2, 5, 0), false},
		{"equal", pairs(1, 1, 1, 2), pairs(1, 1, 1, 2), pairs(1, 1, 1, 2), false},
		{"J order within I, high bits", pairs(1, 1<<31), pairs(1, 7, 2, 0),
			pairs(1, 7, 1, 1<<31, 2, 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MergePacked(nil, tt.x, pack(tt.y))
			if !slices.Equal(got, tt.want) || (got == nil) != tt.wantNil {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestMergePackedRandom checks the merge against sort-and-compact of the
// concatenation, and that it appends to dst.
func TestMergePackedRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	gen := func(n int) []uint64 {
		out := make([]uint64, n)
		for k := range out {
			out[k] = Pair{I: rng.Uint32N(50), J: rng.Uint32N(50)}.Pack()
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	for range 200 {
		xs, ys := gen(rng.IntN(300)), gen(rng.IntN(300))
		x := make([]Pair, len(xs))
		for k, v := range xs {
			x[k] = Pair{I: uint32(v >> 32), J: uint32(v)}
		}
		all := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(xs), ys...))))
		prefix := pairs(9, 9)
		got := MergePacked(slices.Clone(prefix), x, ys)
		if len(got) != len(all)+1 || got[0] != prefix[0] {
			t.Fatalf("%d pairs (prefix %v), want %d after the prefix", len(got), got[:min(1, len(got))], len(all))
		}
		for k, v := range all {
			if got[k+1].Pack() != v {
				t.Fatalf("pair %d is %v, want %v", k, got[k+1], Pair{I: uint32(v >> 32), J: uint32(v)})
			}
		}
	}
}
