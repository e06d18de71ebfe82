package blocking

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/welfare-district/swd/linkage/encoding"
)

// TestBlocksTouchingAsBlocksMany: the pairs with a marked record of
// BlocksTouching's blocks are those of BlocksMany's blocks, for every job
// (across datasets and within one), with a cap low enough to skip blocks,
// on LSH and key passes, with few, many, none and all records marked.
func TestBlocksTouchingAsBlocksMany(t *testing.T) {
	a, b, _ := clkPairs(7, 300, 256, 0.3, 0.03)
	c, _, _ := clkPairs(8, 200, 256, 0.3, 0.03)
	r := rand.New(rand.NewPCG(1, 2))
	ds := []*encoding.Dataset{a, b, c}
	for _, d := range ds {
		vals := make([]string, d.Len())
		for i := range vals {
			if r.IntN(10) > 0 {
				vals[i] = string(rune('a' + r.IntN(20)))
			}
		}
		d.BlockKeys = append(d.BlockKeys, encoding.StringColumn{Name: "k", Values: vals})
	}
	cfg := Config{Passes: []Pass{LSH{Bands: 6, BitsPerBand: 10, Seed: 3}, Key{Column: "k"}}, MaxBlockPairs: 60}
	jobs := []Job{{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}}
	for _, share := range []float64{0, 0.02, 0.3, 1} {
		marked := make([][]bool, len(ds))
		for d := range ds {
			marked[d] = make([]bool, ds[d].Len())
			for i := range marked[d] {
				marked[d][i] = r.Float64() < share
			}
		}
		marked[2] = nil // a dataset with none marked
		touched := func(k int, blk Block, out [][]uint64) {
			j := jobs[k]
			is := func(d int, i uint32) bool { return marked[d] != nil && marked[d][i] }
			for _, p := range slices.Collect(pairsOf(blk)) {
				if is(j.A, p.I) || is(j.B, p.J) {
					out[k] = append(out[k], p.Pack())
				}
			}
		}
		want, got := make([][]uint64, len(jobs)), make([][]uint64, len(jobs))
		st, err := BlocksMany(context.Background(), ds, jobs, cfg, func(k int, blk Block) error {
			touched(k, blk, want)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		skipped := 0
		for _, s := range st {
			for _, ps := range s.Passes {
				skipped += ps.SkippedBlocks
			}
		}
		if skipped == 0 {
			t.Fatal("no block over the cap: the test does not check the cap")
		}
		if err := BlocksTouching(context.Background(), ds, jobs, cfg, marked, func(k int, blk Block) error {
			if !slices.IsSorted(blk.A) || !slices.IsSorted(blk.B) {
				t.Fatalf("block rows not ascending")
			}
			touched(k, blk, got)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		total := 0
		for k := range jobs {
			slices.Sort(want[k])
			slices.Sort(got[k])
			want[k], got[k] = slices.Compact(want[k]), slices.Compact(got[k])
			if !slices.Equal(got[k], want[k]) {
				t.Fatalf("marked %.2f, job %v: %d pairs, BlocksMany's blocks hold %d", share, jobs[k], len(got[k]), len(want[k]))
			}
			total += len(want[k])
		}
		if share > 0 && total == 0 {
			t.Fatalf("marked %.2f: no pair at all; the test compares nothing", share)
		}
	}
}

// pairsOf iterates over a block's pairs.
func pairsOf(blk Block) func(yield func(Pair) bool) {
	return func(yield func(Pair) bool) {
		for _, v := range blk.AppendPacked(nil) {
			if !yield(Pair{I: uint32(v >> 32), J: uint32(v)}) {
				return
			}
		}
	}
}
