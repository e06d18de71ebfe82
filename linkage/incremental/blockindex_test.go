package incremental

import (
	"context"
	"slices"
	"testing"

	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/blocking"
)

// TestBlockPairsAsBlocking: searching every row as fresh finds exactly the
// candidates of blocking's own run, across partners and within one.
func TestBlockPairsAsBlocking(t *testing.T) {
	ds := synthFixture(t)
	u := &updater{ds: ds}
	bc := linkage.DefaultBlocking(ds[0], 1, linkage.Records(ds))
	bc.MaxBlockPairs = 40 // low enough to skip some blocks here
	for _, job := range [][2]int{{0, 1}, {2, 2}, {3, 4}} {
		x, y := job[0], job[1]
		rows := make([]int, ds[x].Len())
		for i := range rows {
			rows[i] = i
		}
		var got []uint64
		err := u.blockPairs(x, y, rows, bc, func(i, j int) {
			if x == y {
				if i == j {
					return
				}
				i, j = min(i, j), max(i, j)
			}
			got = append(got, blocking.Pair{I: uint32(i), J: uint32(j)}.Pack())
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		got = slices.Compact(got)
		var want []blocking.Pair
		if x == y {
			want, _, err = blocking.CandidatesDedup(context.Background(), ds[x], bc)
		} else {
			want, _, err = blocking.Candidates(context.Background(), ds[x], ds[y], bc)
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("job %v: %d pairs, blocking finds %d", job, len(got), len(want))
		}
		for k, p := range want {
			if got[k] != p.Pack() {
				t.Fatalf("job %v: pair %d differs", job, k)
			}
		}
	}
}
