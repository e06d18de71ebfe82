package bitvec

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestProperties runs every generator against the invariants of the
// similarity measures, on every kernel path: Dice and Jaccard symmetric and
// in [0, 1], Dice(a,a) = Jaccard(a,a) = 1 for a non-empty a, both 0 for two
// empty filters, Hamming a metric-like count consistent with Dice.
func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, st := range dispatchStates(t) {
		for _, g := range generators {
			for _, n := range []int{1, 2, 16, 17, 64} {
				t.Run(fmt.Sprintf("%s/%s/%d", st.name, g.name, n), func(t *testing.T) {
					withDispatch(st, func() {
						for range 20 {
							a, b := fill(r, g, n), fill(r, g, n)
							checkProperties(t, a, b)
						}
					})
				})
			}
		}
	}
}

func checkProperties(t *testing.T, a, b []uint64) {
	t.Helper()
	d, j := Dice(a, b), Jaccard(a, b)
	if d != Dice(b, a) || j != Jaccard(b, a) {
		t.Fatal("not symmetric")
	}
	if d < 0 || d > 1 || j < 0 || j > 1 {
		t.Fatalf("out of [0,1]: Dice %v Jaccard %v", d, j)
	}
	if j > d {
		t.Fatalf("Jaccard %v above Dice %v", j, d)
	}
	empty := Count(a) == 0
	if self := Dice(a, a); (empty && self != 0) || (!empty && self != 1) {
		t.Fatalf("Dice(a,a) = %v with |a| = %d", self, Count(a))
	}
	if Hamming(a, a) != 0 || Hamming(a, b) != Hamming(b, a) {
		t.Fatal("Hamming not a distance")
	}
	if h := Hamming(a, b); h != Count(a)+Count(b)-2*AndCount(a, b) || h < 0 {
		t.Fatalf("Hamming %d inconsistent", h)
	}
}

func TestEmptyFilters(t *testing.T) {
	z := make([]uint64, 16)
	if Dice(z, z) != 0 || Jaccard(z, z) != 0 || Hamming(z, z) != 0 {
		t.Fatal("two empty filters must score 0")
	}
	if Dice(nil, nil) != 0 {
		t.Fatal("zero-length filters must score 0")
	}
}
