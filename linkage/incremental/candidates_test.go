package incremental

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
)

// TestFreshBlockingAsFull: without the Dice pass, the candidates of a run
// with some records fresh are exactly the candidates of a full search
// (every record fresh) that hold a fresh record, for every job, across
// partners and within one, with a block cap low enough to skip blocks.
func TestFreshBlockingAsFull(t *testing.T) {
	ds := synthFixture(t)
	bc := linkage.DefaultBlocking(ds[0], 1, linkage.Records(ds))
	bc.MaxBlockPairs = 40
	cfg, err := linkage.Config{Blocking: &bc, DiceMaxPairs: -1}.WithDefaults()
	if err != nil {
		t.Fatal(err)
	}
	jobs := linkage.Jobs(len(ds), false)
	all := &updater{ds: ds, cfg: cfg}
	some := &updater{ds: ds, cfg: cfg}
	r := rand.New(rand.NewPCG(3, 4))
	for p, d := range ds {
		isNew, want := make([]bool, d.Len()), make([]bool, d.Len())
		var rows, fresh []int
		for i := range d.Len() {
			isNew[i], rows = true, append(rows, i)
			if p != 2 && r.IntN(20) == 0 { // partner 2: nothing fresh
				want[i], fresh = true, append(fresh, i)
			}
		}
		all.fresh, all.isNew = append(all.fresh, rows), append(all.isNew, isNew)
		some.fresh, some.isNew = append(some.fresh, fresh), append(some.isNew, want)
	}
	full, err := all.candidates(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := some.candidates(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for k, j := range jobs {
		var want []uint64
		for _, v := range full[k] {
			if some.isNew[j.A][uint32(v>>32)] || some.isNew[j.B][uint32(v)] {
				want = append(want, v)
			}
		}
		if !slices.Equal(got[k], want) {
			t.Fatalf("job %v: %d candidates, the full search has %d with a fresh record", j, len(got[k]), len(want))
		}
		total += len(want)
	}
	if total == 0 {
		t.Fatal("no candidate holds a fresh record: the test compares nothing")
	}
}

// TestHashUnchanged: Hash gives the hashes states already hold: SHA-256
// of the row's words, presence bytes and blocking keys, written one piece
// at a time as the first version did.
func TestHashUnchanged(t *testing.T) {
	ds := synthFixture(t)
	for _, d := range ds {
		for i := range d.Len() {
			h := sha256.New()
			var b [8]byte
			words := func(v []uint64) {
				for _, w := range v {
					binary.LittleEndian.PutUint64(b[:], w)
					h.Write(b[:])
				}
			}
			words(d.CLK.At(i))
			for _, f := range d.Fields {
				if f.Present[i] {
					h.Write([]byte{1})
					words(f.Filters.At(i))
				} else {
					h.Write([]byte{0})
				}
			}
			for _, k := range d.BlockKeys {
				h.Write([]byte(k.Values[i]))
				h.Write([]byte{0})
			}
			want := int64(binary.LittleEndian.Uint64(h.Sum(nil)))
			if got := Hash(d, i); got != want {
				t.Fatalf("%s row %d: hash %x, the state's is %x", d.Meta.Partner, i, got, want)
			}
		}
	}
}

// TestScorePairsAnyWorkers: the edges and the mean weight of a job's
// pairs (a sum of floats) do not depend on the number of workers. Every
// pair of two partners is scored three times, so the pairs span several
// chunks.
func TestScorePairsAnyWorkers(t *testing.T) {
	ds := synthFixture(t)
	ctx := context.Background()
	fit, err := linkage.Link(ctx, ds, linkage.Config{Workers: 2, USamples: 50_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	lc, err := linkage.Config{USamples: 50_000, Seed: 1}.WithDefaults()
	if err != nil {
		t.Fatal(err)
	}
	scorers, err := newScorers(ds, fit.Model, lc)
	if err != nil {
		t.Fatal(err)
	}
	prev := &State{Model: fit.Model}
	priors := jobPriors(ds, prev, false)
	j := linkage.Job{A: 0, B: 1}
	var pairs []uint64
	for range 3 { // each pair three times over: more pairs, more chunks
		for a := range ds[j.A].Len() {
			for b := range ds[j.B].Len() {
				pairs = append(pairs, uint64(a)<<32|uint64(b))
			}
		}
	}
	if len(pairs) <= 50_000 {
		t.Fatalf("%d pairs: too few to span several chunks", len(pairs))
	}
	var (
		edges0 []cluster.Edge
		mean0  float64
	)
	for _, workers := range []int{1, 2, 3, 7} {
		lc.Workers = workers
		u := &updater{prev: prev, ds: ds, cfg: lc, scorers: scorers, priors: priors, levels: newLevelCounts(fit.Model)}
		edges, mean, err := u.scorePairs(ctx, j, pairs)
		if err != nil {
			t.Fatal(err)
		}
		if workers == 1 {
			edges0, mean0 = edges, mean
			if len(edges) == 0 {
				t.Fatal("no pair accepted: the test compares nothing")
			}
			continue
		}
		if mean != mean0 || !slices.Equal(edges, edges0) {
			t.Errorf("%d workers: mean weight %v and %d edges, 1 worker %v and %d", workers, mean, len(edges), mean0, len(edges0))
		}
	}
}
