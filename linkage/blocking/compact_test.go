package blocking

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/welfare-district/swd/linkage/encoding"
)

// decodeAll reads every chunk of c.
func decodeAll(t *testing.T, c *CompactPairs) []Pair {
	t.Helper()
	var out, buf []Pair
	for k := range c.Chunks() {
		var err error
		if buf, err = c.Chunk(k, buf); err != nil {
			t.Fatal(err)
		}
		out = append(out, buf...)
	}
	return out
}

func TestCompactPairsRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, CompactChunk - 1, CompactChunk, CompactChunk + 1, 3*CompactChunk + 17} {
		set := map[uint64]bool{}
		for len(set) < n {
			set[uint64(r.Uint32N(5000))<<32|uint64(r.Uint32N(300_000))] = true
		}
		packed := make([]uint64, 0, n)
		for v := range set {
			packed = append(packed, v)
		}
		slices.Sort(packed)
		want := make([]Pair, n)
		for k, v := range packed {
			want[k] = Pair{I: uint32(v >> 32), J: uint32(v)}
		}
		var viaPair, viaPacked CompactPairs
		for _, p := range want {
			viaPair.Append(p)
		}
		viaPacked.AppendPacked(packed)
		for _, c := range []*CompactPairs{&viaPair, &viaPacked} {
			if c.Len() != n {
				t.Fatalf("n=%d: Len %d", n, c.Len())
			}
			if got := decodeAll(t, c); !slices.Equal(got, want) && n > 0 {
				t.Fatalf("n=%d: round trip differs", n)
			}
		}
		if n > 1000 && viaPair.Bytes() >= int64(4*n) {
			t.Errorf("n=%d: %d bytes, not under 4 a pair", n, viaPair.Bytes())
		}
		dir := t.TempDir()
		if err := viaPair.Spill(dir); err != nil {
			t.Fatal(err)
		}
		if !viaPair.Spilled() || viaPair.InMemory() > 8*int64(viaPair.Chunks()+1) {
			t.Fatalf("n=%d: spilled list still holds %d bytes", n, viaPair.InMemory())
		}
		if got := decodeAll(t, &viaPair); !slices.Equal(got, want) && n > 0 {
			t.Fatalf("n=%d: spilled round trip differs", n)
		}
		if err := viaPair.Close(); err != nil {
			t.Fatal(err)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Fatalf("Close left %d files in the spill directory", len(left))
		}
	}
}

// TestCandidatesCompactAgrees: the compact union is the union Candidates
// returns, with extra pairs merged in, for linkage and de-duplication.
func TestCandidatesCompactAgrees(t *testing.T) {
	a, b, _ := clkPairs(3, 600, 1024, 0.3, 0.03)
	cfg := Config{Passes: []Pass{LSH{Bands: 24, BitsPerBand: 12, Seed: 9}}}
	extra := []uint64{Pair{I: 0, J: 1}.Pack(), Pair{I: 5, J: 599}.Pack(), Pair{I: 599, J: 1199}.Pack()}
	for _, dedup := range []bool{false, true} {
		var want []Pair
		var st Stats
		var err error
		bb := b
		if dedup {
			bb = nil
			want, st, err = CandidatesDedup(context.Background(), a, cfg)
		} else {
			want, st, err = Candidates(context.Background(), a, b, cfg)
		}
		if err != nil {
			t.Fatal(err)
		}
		c, cst, err := CandidatesCompact(context.Background(), a, bb, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeAll(t, c); !slices.Equal(got, want) {
			t.Fatalf("dedup=%v: %d compact candidates, %d from Candidates", dedup, len(got), len(want))
		}
		if cst.Candidates != st.Candidates || !slices.Equal(cst.Passes, st.Passes) {
			t.Fatalf("dedup=%v: stats %+v, want %+v", dedup, cst, st)
		}
		c, _, err = CandidatesCompact(context.Background(), a, bb, cfg, extra)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := decodeAll(t, c), MergePacked(nil, want, extra); !slices.Equal(got, want) {
			t.Fatalf("dedup=%v: extra pairs not merged in", dedup)
		}
	}
}

func TestCompactPairsContains(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, CompactChunk, 3*CompactChunk + 17} {
		set := map[uint64]bool{}
		for len(set) < n {
			set[uint64(r.Uint32N(3000))<<32|uint64(r.Uint32N(3000))] = true
		}
		packed := make([]uint64, 0, n)
		for v := range set {
			packed = append(packed, v)
		}
		slices.Sort(packed)
		var c CompactPairs
		c.AppendPacked(packed)
		// Queries: every tenth pair of the list, and as many random ones
		// (mostly absent), sorted and distinct.
		qset := map[uint64]bool{0: true, 1<<64 - 1: true}
		for k := 0; k < n; k += 10 {
			qset[packed[k]] = true
		}
		for range n/10 + 5 {
			qset[uint64(r.Uint32N(3100))<<32|uint64(r.Uint32N(3100))] = true
		}
		qs := make([]uint64, 0, len(qset))
		for v := range qset {
			qs = append(qs, v)
		}
		slices.Sort(qs)
		check := func(label string) {
			got, err := c.Contains(qs)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range qs {
				if got[k] != set[v] {
					t.Fatalf("n=%d %s: Contains(%#x) = %v, want %v", n, label, v, got[k], set[v])
				}
			}
		}
		check("in memory")
		if err := c.Spill(t.TempDir()); err != nil {
			t.Fatal(err)
		}
		check("spilled")
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRadixSortHigh checks the sort of band entries against slices.Sort
// for key widths around the radix digit.
func TestRadixSortHigh(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, bits := range []int{0, 1, 10, 11, 12, 22, 28, 32} {
		for _, n := range []int{0, 1, 2, 1000} {
			vs := make([]uint64, n)
			for i := range vs {
				var key uint64
				if bits > 0 {
					key = r.Uint64() >> (64 - bits)
				}
				vs[i] = key<<32 | uint64(i)
			}
			want := slices.Clone(vs)
			slices.Sort(want)
			got, _ := radixSortHigh(vs, make([]uint64, n), bits)
			if !slices.Equal(got, want) {
				t.Fatalf("bits %d, n %d: not sorted", bits, n)
			}
		}
	}
}

// TestCandidatesCompactManyAgrees checks that blocking three datasets'
// six jobs together gives each job the candidates and stats of blocking it
// alone, with a key pass beside the LSH and extra pairs on one job.
func TestCandidatesCompactManyAgrees(t *testing.T) {
	a, b, _ := clkPairs(3, 600, 1024, 0.3, 0.03)
	c, _, _ := clkPairs(4, 300, 1024, 0.3, 0.03)
	ds := []*encoding.Dataset{a, b, c}
	cfg := Config{Passes: []Pass{LSH{Bands: 24, BitsPerBand: 12, Seed: 9}, LSH{Bands: 5, BitsPerBand: 16, Seed: 2}}}
	jobs := []Job{{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}}
	extra := make([][]uint64, len(jobs))
	extra[4] = []uint64{Pair{I: 0, J: 1}.Pack(), Pair{I: 5, J: 299}.Pack()}
	got, gst, err := CandidatesCompactMany(context.Background(), ds, jobs, cfg, extra)
	if err != nil {
		t.Fatal(err)
	}
	for k, j := range jobs {
		var bb *encoding.Dataset
		if j.A != j.B {
			bb = ds[j.B]
		}
		want, wst, err := CandidatesCompact(context.Background(), ds[j.A], bb, cfg, extra[k])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(decodeAll(t, got[k]), decodeAll(t, want)) {
			t.Fatalf("job %v: %d candidates together, %d alone", j, got[k].Len(), want.Len())
		}
		if gst[k].Candidates != wst.Candidates || !slices.Equal(gst[k].Passes, wst.Passes) {
			t.Fatalf("job %v: stats %+v, alone %+v", j, gst[k], wst)
		}
	}
}
