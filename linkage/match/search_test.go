package match

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
)

// nearDuplicates returns n filters of bits bits with density p, and m
// filters of which about half are copies of one of the first set with each
// bit flipped with probability flip; the rest are fresh. Densities vary per
// filter so the cardinality filter has something to prune.
func nearDuplicates(seed uint64, n, m, bits int, flip float64) (a, b bitvec.Arena) {
	r := rand.New(rand.NewPCG(seed, 7))
	a, b = bitvec.NewArena(n, bits), bitvec.NewArena(m, bits)
	for i := range n {
		p := 0.1 + 0.5*r.Float64()
		for k := range bits {
			if r.Float64() < p {
				bitvec.Set(a.At(i), k)
			}
		}
	}
	for j := range m {
		if r.IntN(2) == 0 {
			src := a.At(r.IntN(n))
			for k := range bits {
				if bitvec.Get(src, k) != (r.Float64() < flip) {
					bitvec.Set(b.At(j), k)
				}
			}
			continue
		}
		p := 0.1 + 0.5*r.Float64()
		for k := range bits {
			if r.Float64() < p {
				bitvec.Set(b.At(j), k)
			}
		}
	}
	return a, b
}

// bruteForce is the definition: every pair, scored by the reference Dice.
func bruteForce(a, b bitvec.Arena, t float64, dedup bool) []Match {
	var out []Match
	for i := range a.Len() {
		for j := range b.Len() {
			if dedup && j <= i {
				continue
			}
			if d := bitvec.Dice(a.At(i), b.At(j)); d >= t {
				out = append(out, Match{I: uint32(i), J: uint32(j), Score: d})
			}
		}
	}
	return out
}

func collect(t *testing.T, a bitvec.Arena, ix *Index, dedup bool, opts ...Option) ([]Match, Stats) {
	t.Helper()
	var got []Match
	emit := func(m []Match) error { got = append(got, m...); return nil }
	var st Stats
	var err error
	if dedup {
		st, err = SearchDedup(context.Background(), a, ix, emit, opts...)
	} else {
		st, err = Search(context.Background(), a, ix, emit, opts...)
	}
	if err != nil {
		t.Fatal(err)
	}
	return got, st
}

func TestSearchMatchesBruteForce(t *testing.T) {
	for _, bits := range []int{64, 960, 1024, 2048} {
		a, b := nearDuplicates(uint64(bits), 60, 500, bits, 0.05)
		ix := NewIndex(b)
		for _, thr := range []float64{0, 0.5, 0.8, 0.95, 1} {
			want := bruteForce(a, b, thr, false)
			t.Run(fmt.Sprintf("bits=%d/t=%v", bits, thr), func(t *testing.T) {
				got, st := collect(t, a, ix, false, Threshold(thr), Ordered(true), ChunkSize(16))
				if !slices.Equal(got, want) {
					t.Fatalf("got %d matches, want %d", len(got), len(want))
				}
				if st.Matches != int64(len(want)) || st.Compared+st.Pruned != int64(a.Len()*b.Len()) {
					t.Errorf("stats %+v", st)
				}
				if thr >= 0.8 && st.Pruned == 0 {
					t.Errorf("cardinality filter pruned nothing at t=%v", thr)
				}
			})
		}
	}
}

// TestSearchMetamorphic: the match set does not depend on the number of
// workers, the chunk size or the kernel path.
func TestSearchMetamorphic(t *testing.T) {
	defer func(b, t int) { batchLen, tileBytes = b, t }(batchLen, tileBytes)
	batchLen, tileBytes = 37, 5000 // many batches and tiles, ragged ends
	a, b := nearDuplicates(11, 120, 700, 1024, 0.08)
	ix := NewIndex(b)
	ref, _ := collect(t, a, ix, false, Threshold(0.7), Ordered(true), Workers(1))
	if len(ref) == 0 {
		t.Fatal("test data has no matches")
	}
	for _, asm := range []bool{true, false} {
		for _, workers := range []int{1, 2, 4} {
			for _, chunk := range []int{1, 7, 64} {
				t.Run(fmt.Sprintf("asm=%v/workers=%d/chunk=%d", asm, workers, chunk), func(t *testing.T) {
					was := bitvec.UseAssembly(asm)
					defer bitvec.UseAssembly(was)
					got, _ := collect(t, a, ix, false, Threshold(0.7), Ordered(true), Workers(workers), ChunkSize(chunk))
					if !slices.Equal(got, ref) {
						t.Fatalf("%d matches differ from the reference run's %d", len(got), len(ref))
					}
					unordered, _ := collect(t, a, ix, false, Threshold(0.7), Workers(workers), ChunkSize(chunk))
					sortMatches(unordered)
					if !slices.Equal(unordered, ref) {
						t.Fatal("unordered run found a different match set")
					}
				})
			}
		}
	}
}

func TestTopK(t *testing.T) {
	a, b := nearDuplicates(5, 80, 900, 512, 0.1)
	ix := NewIndex(b)
	all := bruteForce(a, b, 0.3, false)
	for _, k := range []int{1, 3, 50} {
		t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
			var want []Match
			for i := range a.Len() {
				var row []Match
				for _, m := range all {
					if m.I == uint32(i) {
						row = append(row, m)
					}
				}
				slices.SortFunc(row, func(x, y Match) int {
					if better(x, y) {
						return -1
					}
					return 1
				})
				want = append(want, row[:min(k, len(row))]...)
			}
			got, _ := collect(t, a, ix, false, Threshold(0.3), TopK(k), Ordered(true), Workers(3), ChunkSize(5))
			sortMatches(got)
			sortMatches(want)
			if !slices.Equal(got, want) {
				t.Fatalf("got %d matches, want %d", len(got), len(want))
			}
		})
	}
}

func TestSearchDedup(t *testing.T) {
	a, _ := nearDuplicates(9, 400, 1, 1024, 0)
	// Append near-copies of the first 100 filters to a.
	r := rand.New(rand.NewPCG(1, 1))
	for i := range 100 {
		v := slices.Clone(a.At(i))
		for range 20 {
			v[r.IntN(len(v))] ^= 1 << r.IntN(64)
		}
		a.Append(v)
	}
	want := bruteForce(a, a, 0.8, true)
	if len(want) < 100 {
		t.Fatalf("only %d duplicate pairs in the test data", len(want))
	}
	ix := NewIndex(a)
	got, st := collect(t, a, ix, true, Threshold(0.8), Ordered(true), Workers(2))
	sortMatches(got)
	if !slices.Equal(got, want) {
		t.Fatalf("got %d pairs, want %d", len(got), len(want))
	}
	if n := int64(a.Len()); st.Compared > n*(n-1)/2 {
		t.Errorf("compared %d pairs, more than the triangle", st.Compared)
	}
	// Deterministic whatever the worker count.
	again, _ := collect(t, a, ix, true, Threshold(0.8), Ordered(true), Workers(1), ChunkSize(3))
	got2, _ := collect(t, a, ix, true, Threshold(0.8), Ordered(true), Workers(3), ChunkSize(3))
	if !slices.Equal(again, got2) {
		t.Fatal("ordered dedup output depends on the worker count")
	}
	// With TopK(large) every pair is still reported once.
	top, _ := collect(t, a, ix, true, Threshold(0.8), TopK(1000), Workers(2))
	sortMatches(top)
	if !slices.Equal(top, want) {
		t.Fatalf("top-k dedup: got %d pairs, want %d", len(top), len(want))
	}
	if _, err := SearchDedup(context.Background(), a, NewIndex(bitvec.NewArena(3, 1024)), func([]Match) error { return nil }); !errors.Is(err, base.ErrUsage) {
		t.Fatalf("mismatched dedup index: %v", err)
	}
}

func TestQuery(t *testing.T) {
	a, b := nearDuplicates(3, 20, 500, 1024, 0.05)
	ix := NewIndex(b)
	all := bruteForce(a, b, 0.6, false)
	for i := range a.Len() {
		got, err := ix.Query(a.At(i), nil, Threshold(0.6))
		if err != nil {
			t.Fatal(err)
		}
		var want []Match
		for _, m := range all {
			if m.I == uint32(i) {
				m.I = 0
				want = append(want, m)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("query %d: got %v, want %v", i, got, want)
		}
	}
}

func TestSearchStops(t *testing.T) {
	a, b := nearDuplicates(4, 200, 200, 256, 0)
	ix := NewIndex(b)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Search(ctx, a, ix, func([]Match) error { return nil }, Threshold(0))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled search returned %v", err)
	}
	boom := errors.New("boom")
	calls := 0
	_, err = Search(context.Background(), a, ix, func([]Match) error { calls++; return boom }, Threshold(0), ChunkSize(1), Workers(2))
	if !errors.Is(err, boom) || calls != 1 {
		t.Fatalf("emit error: err %v after %d calls", err, calls)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []Option{Threshold(-0.1), Threshold(1.5), TopK(-1), Workers(0), ChunkSize(0)} {
		if _, err := buildOptions([]Option{o}); !errors.Is(err, base.ErrUsage) {
			t.Errorf("bad option accepted: %v", err)
		}
	}
}

func TestScorePairs(t *testing.T) {
	a, b := nearDuplicates(6, 30, 40, 1024, 0.1)
	var pairs []Pair
	for i := range 30 {
		pairs = append(pairs, Pair{I: uint32(i), J: uint32(39 - i)})
	}
	got := ScorePairs(a, b, pairs, nil)
	for k, p := range pairs {
		if want := float32(bitvec.Dice(a.At(int(p.I)), b.At(int(p.J)))); got[k] != want {
			t.Fatalf("pair %v: %v, want %v", p, got[k], want)
		}
	}
}

// TestNeedTable: the integer test c >= need[s] is exactly Dice >= t.
func TestNeedTable(t *testing.T) {
	for _, thr := range []float64{0, 0.1, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.999, 1} {
		need := NeedTable(256, thr)
		for s := range need {
			for c := 0; c <= s/2; c++ {
				if got, want := uint32(c) >= need[s], bitvec.DiceFromCounts(c, s, 0) >= thr; got != want {
					t.Fatalf("t=%v s=%d c=%d: table says %v, Dice says %v", thr, s, c, got, want)
				}
			}
		}
	}
}

// TestAdmissible: no candidate outside the admissible range could reach
// the threshold.
func TestAdmissible(t *testing.T) {
	arena := bitvec.NewArena(0, 128)
	for c := 0; c <= 128; c++ {
		v := make([]uint64, 2)
		for k := range c {
			bitvec.Set(v, k)
		}
		arena.Append(v)
	}
	ix := NewIndex(arena)
	for _, thr := range []float64{0, 0.3, 0.8, 1} {
		for pa := uint32(0); pa <= 128; pa++ {
			lo, hi := ix.admissible(pa, thr)
			for k, pb := range ix.counts {
				best := bitvec.DiceFromCounts(int(min(pa, pb)), int(pa), int(pb))
				if in := k >= lo && k < hi; !in && best >= thr {
					t.Fatalf("t=%v pa=%d: pb=%d pruned but could score %v", thr, pa, pb, best)
				}
			}
		}
	}
}
