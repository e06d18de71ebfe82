package blocking

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

func keyed(cols map[string][]string) *encoding.Dataset {
	d := &encoding.Dataset{}
	names := make([]string, 0, len(cols))
	for name := range cols {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		d.BlockKeys = append(d.BlockKeys, encoding.StringColumn{Name: name, Values: cols[name]})
		d.RecordIDs = make([]string, len(cols[name]))
	}
	return d
}

func TestKeyBlocking(t *testing.T) {
	a := keyed(map[string][]string{
		"surname_year": {"k1", "k2", "", "k1"},
		"cf":           {"c1", "", "c3", "c4"},
	})
	b := keyed(map[string][]string{
		"surname_year": {"k1", "", "k2", "k9"},
		"cf":           {"c9", "c3", "", "c4"},
	})
	tests := []struct {
		name   string
		passes []Pass
		b      *encoding.Dataset
		want   []Pair
	}{
		{"one key", []Pass{Key{"surname_year"}}, b, []Pair{pr(0, 0), pr(1, 2), pr(3, 0)}},
		{"two keys unioned", []Pass{Key{"surname_year"}, Key{"cf"}}, b,
			[]Pair{pr(0, 0), pr(1, 2), pr(2, 1), pr(3, 0), pr(3, 3)}},
		{"same key twice is deduplicated", []Pass{Key{"cf"}, Key{"cf"}}, b, []Pair{pr(2, 1), pr(3, 3)}},
		{"dedup", []Pass{Key{"surname_year"}}, nil, []Pair{pr(0, 3)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []Pair
			var err error
			if tc.b == nil {
				got, _, err = CandidatesDedup(context.Background(), a, Config{Passes: tc.passes})
			} else {
				got, _, err = Candidates(context.Background(), a, tc.b, Config{Passes: tc.passes})
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestUnknownColumn(t *testing.T) {
	a := keyed(map[string][]string{"x": {"k"}})
	_, _, err := Candidates(context.Background(), a, a, Config{Passes: []Pass{Key{"nope"}}})
	if !errors.Is(err, base.ErrUsage) {
		t.Fatalf("unknown column: %v", err)
	}
}

func TestBlockCap(t *testing.T) {
	vals := make([]string, 100)
	for i := range vals {
		vals[i] = "same"
	}
	vals[0], vals[1] = "rare", "rare"
	a := keyed(map[string][]string{"k": vals})
	cands, st, err := CandidatesDedup(context.Background(), a, Config{Passes: []Pass{Key{"k"}}, MaxBlockPairs: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cands, []Pair{pr(0, 1)}) {
		t.Fatalf("got %v", cands)
	}
	ps := st.Passes[0]
	if ps.SkippedBlocks != 1 || ps.SkippedPairs != 98*97/2 || ps.Blocks != 1 {
		t.Fatalf("stats %+v", ps)
	}
	all, _, _ := CandidatesDedup(context.Background(), a, Config{Passes: []Pass{Key{"k"}}, MaxBlockPairs: -1})
	if len(all) != 1+98*97/2 {
		t.Fatalf("uncapped: %d pairs", len(all))
	}
	_, _, err = CandidatesDedup(context.Background(), a, Config{Passes: []Pass{Key{"k"}}, MaxBlockPairs: -1, MaxCandidates: 1000})
	if !errors.Is(err, ErrTooManyCandidates) || !errors.Is(err, base.ErrUsage) {
		t.Fatalf("over the candidate limit: %v", err)
	}
}

// clkPairs makes n filters of bits bits (density p) for A and, for B, a
// copy of each with every bit flipped with probability flip, shuffled,
// plus n unrelated filters; it returns the true pairs.
func clkPairs(seed uint64, n, bits int, p, flip float64) (a, b *encoding.Dataset, truth []Pair) {
	r := rand.New(rand.NewPCG(seed, 3))
	aa, bb := bitvec.NewArena(n, bits), bitvec.NewArena(2*n, bits)
	perm := r.Perm(2 * n)
	for i := range n {
		for k := range bits {
			if r.Float64() < p {
				bitvec.Set(aa.At(i), k)
			}
		}
		j := perm[i]
		for k := range bits {
			if bitvec.Get(aa.At(i), k) != (r.Float64() < flip) {
				bitvec.Set(bb.At(j), k)
			}
		}
		truth = append(truth, Pair{I: uint32(i), J: uint32(j)})
		for k := range bits {
			if r.Float64() < p {
				bitvec.Set(bb.At(perm[n+i]), k)
			}
		}
	}
	a = &encoding.Dataset{RecordIDs: make([]string, n), CLK: aa}
	b = &encoding.Dataset{RecordIDs: make([]string, 2*n), CLK: bb}
	return a, b, truth
}

func TestLSHRecall(t *testing.T) {
	a, b, truth := clkPairs(1, 400, 1024, 0.3, 0.03)
	cfg := Config{Passes: []Pass{LSH{Bands: 24, BitsPerBand: 16, Seed: 42}}}
	cands, st, err := Candidates(context.Background(), a, b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	pc := PairCompleteness(cands, truth)
	rr := ReductionRatio(st.Candidates, a.Len(), b.Len())
	t.Logf("pair completeness %.4f, reduction ratio %.4f, %d candidates", pc, rr, len(cands))
	if pc < 0.99 || rr < 0.95 {
		t.Fatalf("pair completeness %.4f, reduction ratio %.4f", pc, rr)
	}
	// Same seed, same candidates; another seed samples other bits.
	again, _, _ := Candidates(context.Background(), a, b, cfg)
	if !slices.Equal(again, cands) {
		t.Fatal("LSH is not deterministic")
	}
	other, _, _ := Candidates(context.Background(), a, b, Config{Passes: []Pass{LSH{Bands: 24, BitsPerBand: 16, Seed: 43}}})
	if slices.Equal(other, cands) {
		t.Fatal("the seed does not change the sampled bits")
	}
}

func TestLSHDedup(t *testing.T) {
	a, b, truth := clkPairs(2, 200, 512, 0.4, 0.02)
	// One dataset holding both sides: true pairs are (i, 200+j).
	all := bitvec.Arena{Words: a.CLK.Words, Data: append(slices.Clone(a.CLK.Data), b.CLK.Data...)}
	d := &encoding.Dataset{RecordIDs: make([]string, all.Len()), CLK: all}
	for k := range truth {
		truth[k].J += 200
	}
	cands, _, err := CandidatesDedup(context.Background(), d, Config{Passes: []Pass{LSH{Bands: 20, BitsPerBand: 14, Seed: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range cands {
		if p.I >= p.J {
			t.Fatalf("dedup pair %v not ordered", p)
		}
	}
	if pc := PairCompleteness(cands, truth); pc < 0.99 {
		t.Fatalf("pair completeness %.4f", pc)
	}
}

func TestLSHValidate(t *testing.T) {
	for _, l := range []LSH{{Bands: 0, BitsPerBand: 8}, {Bands: 2, BitsPerBand: 0}, {Bands: 2, BitsPerBand: 65}} {
		if err := l.Validate(1024); !errors.Is(err, base.ErrUsage) {
			t.Errorf("%+v accepted", l)
		}
	}
	if err := (LSH{Bands: 1, BitsPerBand: 64}).Validate(32); err == nil {
		t.Error("more bits per band than the filter has")
	}
}

func TestBlocksStreamAndCancel(t *testing.T) {
	a := keyed(map[string][]string{"k": {"x", "y", "x", "y"}})
	var blocks []Block
	_, err := Blocks(context.Background(), a, nil, Config{Passes: []Pass{Key{"k"}}}, func(b Block) error {
		b.A = slices.Clone(b.A)
		blocks = append(blocks, b)
		return nil
	})
	if err != nil || len(blocks) != 2 {
		t.Fatalf("blocks %v, err %v", blocks, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Blocks(ctx, a, nil, Config{Passes: []Pass{Key{"k"}}}, func(Block) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	boom := errors.New("boom")
	if _, err := Blocks(context.Background(), a, nil, Config{Passes: []Pass{Key{"k"}}}, func(Block) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("yield error: %v", err)
	}
}

func TestMetrics(t *testing.T) {
	truth := []Pair{pr(1, 2), pr(3, 4), pr(5, 6), pr(5, 6)}
	cands := []Pair{pr(3, 4), pr(1, 2), pr(7, 8)}
	if got := PairCompleteness(cands, truth); got != 2.0/3 {
		t.Errorf("pair completeness %v", got)
	}
	if got := PairCompleteness(cands, nil); got != 1 {
		t.Errorf("no truth: %v", got)
	}
	if got := ReductionRatio(10, 10, 100); got != 0.99 {
		t.Errorf("reduction ratio %v", got)
	}
	if got := ReductionRatioDedup(9, 10); got != 0.8 {
		t.Errorf("dedup reduction ratio %v", got)
	}
}

func pr(i, j uint32) Pair { return Pair{I: i, J: j} }

func TestLSHOnFields(t *testing.T) {
	a, b, truth := clkPairs(8, 200, 256, 0.3, 0.02)
	// The CLKs are unrelated noise; the "name" field carries the signal.
	field := func(d *encoding.Dataset, seed uint64) *encoding.Dataset {
		present := make([]bool, d.Len())
		for i := range present {
			present[i] = i%50 != 0
		}
		noise := bitvec.NewArena(d.Len(), 256)
		r := rand.New(rand.NewPCG(seed, 1))
		for i := range noise.Data {
			noise.Data[i] = r.Uint64()
		}
		return &encoding.Dataset{RecordIDs: d.RecordIDs, CLK: noise, Fields: []encoding.FieldColumn{{
			FieldSpec: encoding.FieldSpec{Name: "name", Bits: 256}, Filters: d.CLK, Present: present}}}
	}
	fa, fb := field(a, 1), field(b, 2)
	l := LSH{Bands: 20, BitsPerBand: 14, Seed: 3, Fields: []string{"name"}}
	cands, st, err := Candidates(context.Background(), fa, fb, Config{Passes: []Pass{l}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Passes[0].Name != "lsh:name" {
		t.Errorf("pass name %q", st.Passes[0].Name)
	}
	var found, wantFound int
	have := map[Pair]bool{}
	for _, p := range cands {
		have[p] = true
	}
	for _, p := range truth {
		if p.I%50 != 0 && p.J%50 != 0 {
			wantFound++
			if have[p] {
				found++
			}
		}
	}
	if float64(found) < 0.99*float64(wantFound) {
		t.Fatalf("found %d of %d true pairs with both fields present", found, wantFound)
	}
	if _, _, err := Candidates(context.Background(), fa, fb, Config{Passes: []Pass{LSH{Bands: 1, BitsPerBand: 4, Fields: []string{"nope"}}}}); !errors.Is(err, base.ErrUsage) {
		t.Fatalf("unknown field: %v", err)
	}
}

// TestKeysGroupLikeBlocks checks that grouping records by Keys gives the
// blocks of Blocks, pass by pass.
func TestKeysGroupLikeBlocks(t *testing.T) {
	a, _, _ := clkPairs(5, 120, 256, 0.3, 0.05)
	a.BlockKeys = []encoding.StringColumn{{Name: "k", Values: make([]string, a.Len())}}
	for i := range a.Len() {
		if i%7 != 0 {
			a.BlockKeys[0].Values[i] = string(rune('a' + i%9))
		}
	}
	for _, p := range []Pass{Key{"k"}, LSH{Bands: 6, BitsPerBand: 6, Seed: 2}} {
		keys, valid, err := Keys(p, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != SubPasses(p) {
			t.Fatalf("%s: %d sub-passes, want %d", p.Name(), len(keys), SubPasses(p))
		}
		want := map[[2]uint64][]uint32{}
		for s := range keys {
			for i, k := range keys[s] {
				if valid[s] == nil || valid[s][i] {
					want[[2]uint64{uint64(s), k}] = append(want[[2]uint64{uint64(s), k}], uint32(i))
				}
			}
		}
		got := map[[2]uint64][]uint32{}
		_, err = Blocks(context.Background(), a, nil, Config{Passes: []Pass{p}, MaxBlockPairs: -1}, func(b Block) error {
			got[[2]uint64{uint64(b.Band), b.Key}] = slices.Clone(b.A)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range want {
			if len(v) < 2 {
				delete(want, k)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d blocks, want %d", p.Name(), len(got), len(want))
		}
		for k, v := range want {
			if !slices.Equal(got[k], v) {
				t.Fatalf("%s: block %v: %v, want %v", p.Name(), k, got[k], v)
			}
		}
	}
}
