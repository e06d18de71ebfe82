package bitvec

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
)

type dispatchState struct {
	name      string
	available bool
	set       func()
}

// testLengths are the vector lengths, in words, every path is checked at:
// around the 4-word AVX2 block, the 16-word specialised kernel and the
// avx2MinWords switch.
var testLengths = []int{0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1023, 1024, 1025}

type generator struct {
	name string
	word func(r *rand.Rand) uint64
}

var generators = []generator{
	{"sparse", func(r *rand.Rand) uint64 { return 1 << r.IntN(64) & -(r.Uint64() & 1) }},
	{"dense", func(r *rand.Rand) uint64 { return ^uint64(0) &^ (1 << r.IntN(64)) }},
	{"random", func(r *rand.Rand) uint64 { return r.Uint64() }},
	{"zero", func(*rand.Rand) uint64 { return 0 }},
	{"ones", func(*rand.Rand) uint64 { return ^uint64(0) }},
}

func fill(r *rand.Rand, g generator, n int) []uint64 {
	v := make([]uint64, n)
	for i := range v {
		v[i] = g.word(r)
	}
	return v
}

func TestKernelsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, st := range dispatchStates(t) {
		for _, g := range generators {
			for _, n := range testLengths {
				a, b := fill(r, g, n), fill(r, g, n)
				t.Run(fmt.Sprintf("%s/%s/%d", st.name, g.name, n), func(t *testing.T) {
					withDispatch(st, func() {
						if got, want := Count(a), countRef(a); got != want {
							t.Errorf("Count = %d, want %d", got, want)
						}
						if got, want := AndCount(a, b), andCountRef(a, b); got != want {
							t.Errorf("AndCount = %d, want %d", got, want)
						}
					})
				})
			}
		}
	}
}

// TestBatchMatchesReference checks the one-vs-many kernel, including batch
// sizes that are not a multiple of the 4-candidate unrolling.
func TestBatchMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	batchSizes := []int{0, 1, 3, 4, 5, 8, 13}
	for _, st := range dispatchStates(t) {
		for _, g := range generators {
			for _, words := range testLengths {
				if words == 0 || words > 65 {
					continue
				}
				for _, nb := range batchSizes {
					q := fill(r, g, words)
					arena := fill(r, g, nb*words)
					t.Run(fmt.Sprintf("%s/%s/w%d/n%d", st.name, g.name, words, nb), func(t *testing.T) {
						got := make([]uint32, nb)
						want := make([]uint32, nb)
						wantMax := andCountBatchRef(q, arena, words, want)
						var gotMax uint32
						withDispatch(st, func() { gotMax = AndCountBatch(q, arena, words, got) })
						if gotMax != wantMax {
							t.Errorf("largest count %d, want %d", gotMax, wantMax)
						}
						for k := range want {
							if got[k] != want[k] {
								t.Fatalf("candidate %d: %d, want %d", k, got[k], want[k])
							}
						}
					})
				}
			}
		}
	}
}

// TestBitLengths covers filters whose bit length is not a whole number of
// words: the unused high bits are zero and must not change the result.
func TestBitLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, bits := range []int{1, 2, 63, 64, 65, 1023, 1024, 1025} {
		a, b := NewArena(1, bits), NewArena(1, bits)
		for k := 0; k < bits; k++ {
			if r.IntN(2) == 0 {
				Set(a.At(0), k)
			}
			if r.IntN(2) == 0 {
				Set(b.At(0), k)
			}
		}
		want := 0
		for k := 0; k < bits; k++ {
			if Get(a.At(0), k) && Get(b.At(0), k) {
				want++
			}
		}
		for _, st := range dispatchStates(t) {
			withDispatch(st, func() {
				if got := AndCount(a.At(0), b.At(0)); got != want {
					t.Errorf("%s bits=%d: AndCount %d, want %d", st.name, bits, got, want)
				}
			})
		}
	}
}

func TestPanicsOnSizeMismatch(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("AndCount of different sizes did not panic")
		}
	}()
	AndCount(make([]uint64, 2), make([]uint64, 3))
}

func FuzzDice(f *testing.F) {
	f.Add([]byte{0xff, 0x0f}, []byte{0x0f, 0xff}, uint8(16))
	f.Add(make([]byte, 128), make([]byte, 128), uint8(7))
	f.Fuzz(func(t *testing.T, ab, bb []byte, nb uint8) {
		words := min(len(ab), len(bb)) / 8
		a, b := make([]uint64, words), make([]uint64, words)
		for i := range a {
			a[i] = binary.LittleEndian.Uint64(ab[8*i:])
			b[i] = binary.LittleEndian.Uint64(bb[8*i:])
		}
		wantAnd := andCountRef(a, b)
		ca, cb := countRef(a), countRef(b)
		want := DiceFromCounts(wantAnd, ca, cb)
		// The batch kernel: a against nb copies of b.
		n := int(nb % 9)
		arena := make([]uint64, 0, n*words)
		for range n {
			arena = append(arena, b...)
		}
		for _, st := range dispatchStates(t) {
			withDispatch(st, func() {
				if got := Dice(a, b); got != want {
					t.Fatalf("%s: Dice %v, want %v", st.name, got, want)
				}
				if words == 0 {
					return
				}
				dst := make([]uint32, n)
				m := AndCountBatch(a, arena, words, dst)
				if n > 0 && int(m) != wantAnd {
					t.Fatalf("%s: batch largest count %d, want %d", st.name, m, wantAnd)
				}
				for _, c := range dst {
					if int(c) != wantAnd {
						t.Fatalf("%s: batch count %d, want %d", st.name, c, wantAnd)
					}
				}
			})
		}
	})
}
