package cluster

import (
	"cmp"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCoResidentPairs(t *testing.T) {
	// Households 0..4; partners: 0 {a}, 1 {b}, 2 {a}, 3 {c}, 4 {a, b}.
	masks := []uint64{1, 2, 1, 4, 3}
	for _, tc := range []struct {
		name string
		held []held // household h holds key v
		want [][2]int
	}{
		{"nothing", nil, nil},
		{"one household", []held{{0, 7}}, nil},
		{"two households", []held{{1, 7}, {0, 7}}, [][2]int{{0, 1}}},
		{"repeats count once", []held{{1, 7}, {0, 7}, {1, 7}, {0, 7}, {0, 7}}, [][2]int{{0, 1}}},
		{"a partner in common", []held{{0, 7}, {2, 7}}, nil},
		{"a partner in common, of two", []held{{1, 7}, {4, 7}}, nil},
		{"three households", []held{{0, 7}, {1, 7}, {3, 7}}, nil},
		{"one household twice, then a second", []held{{3, 7}, {3, 7}, {1, 7}}, [][2]int{{1, 3}}},
		{"keys in order", []held{{3, 9}, {0, 8}, {2, 9}, {1, 8}, {0, 5}, {3, 5}},
			[][2]int{{0, 3}, {0, 1}, {2, 3}}},
		{"one key of several households, another of two", []held{{0, 1}, {1, 1}, {3, 1}, {0, 2}, {3, 2}},
			[][2]int{{0, 3}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got [][2]int
			CoResidentPairs(tc.held, func(k held) uint64 { return k.v }, func(x, y held) int { return cmp.Compare(x.h, y.h) },
				func(k held) uint64 { return masks[k.h] },
				func(a, b held) {
					require.Equal(t, a.v, b.v)
					got = append(got, [2]int{a.h, b.h})
				})
			require.Equal(t, tc.want, got)
		})
	}
}
