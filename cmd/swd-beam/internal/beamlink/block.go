package beamlink

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/match"
)

func blockingKeys(ps Pass, d *encoding.Dataset) ([][]uint64, [][]bool, error) {
	return blocking.Keys(ps.Pass(), d)
}

// BlockStat counts one job's blocks of one pass, as blocking.PassStats.
type BlockStat struct {
	Blocks        int64
	Pairs         int64
	SkippedBlocks int64
	SkippedPairs  int64
}

func addBlockStat(a, b BlockStat) BlockStat {
	return BlockStat{a.Blocks + b.Blocks, a.Pairs + b.Pairs, a.SkippedBlocks + b.SkippedBlocks, a.SkippedPairs + b.SkippedPairs}
}

// statKey names the statistics of pass k of job j.
func statKey(j, k int) string { return fmt.Sprintf("%d/%d", j, k) }

// blockFn turns one block (the records sharing a key in one sub-pass) into
// the candidate pairs of every job it holds, in the orientation of
// linkage.Link (I in the job's A, J in its B; I < J within one partner).
type blockFn struct {
	Plan string

	plan    *Plan
	jobs    map[[2]int]int
	passOf  []int // pass of each sub-pass
	maxPair int64
}

func (f *blockFn) Setup() error {
	var err error
	if f.plan, err = DecodePlan(f.Plan); err != nil {
		return err
	}
	f.jobs = f.plan.jobIndex()
	for k, ps := range f.plan.Passes {
		for range blocking.SubPasses(ps.Pass()) {
			f.passOf = append(f.passOf, k)
		}
	}
	f.maxPair = f.plan.MaxBlockPairs
	switch {
	case f.maxPair == 0:
		f.maxPair = blocking.DefaultMaxBlockPairs
	case f.maxPair < 0:
		f.maxPair = 1<<63 - 1
	}
	return nil
}

// blockEntry is a record's key in one sub-pass.
type blockEntry struct {
	sub uint32
	key uint64
	ref uint64
}

func (f *blockFn) ProcessElement(_ int, packets func(*[]byte) bool, emitPair func(int, []byte), emitStat func(string, BlockStat)) error {
	var es []blockEntry
	err := readPackets(packets, func(_ kind, b []byte) error {
		d := decoder{b: b}
		e := blockEntry{sub: uint32(d.uvarint()), key: d.fixed64(), ref: d.uvarint()}
		es = append(es, e)
		return d.done()
	})
	if err != nil {
		return err
	}
	slices.SortFunc(es, func(x, y blockEntry) int {
		return cmp.Or(cmp.Compare(x.sub, y.sub), cmp.Compare(x.key, y.key), cmp.Compare(x.ref, y.ref))
	})
	pairs := newPairPacker(emitPair)
	stats := map[string]BlockStat{}
	for lo := 0; lo < len(es); {
		hi := lo + 1
		for hi < len(es) && es[hi].sub == es[lo].sub && es[hi].key == es[lo].key {
			hi++
		}
		f.block(es[lo:hi], pairs, stats)
		lo = hi
	}
	pairs.flush()
	for k, st := range stats {
		emitStat(k, st)
	}
	return nil
}

// block emits the pairs of one block (its entries sorted by reference).
func (f *blockFn) block(es []blockEntry, pairs *pairPacker, stats map[string]BlockStat) {
	byPartner := map[int][]int{}
	for _, e := range es {
		byPartner[partnerOf(e.ref)] = append(byPartner[partnerOf(e.ref)], rowOf(e.ref))
	}
	var ps []int
	for p := range byPartner {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	pass := f.passOf[es[0].sub]
	add := func(a, b uint64) {
		pairs.add(f.plan.pairCell(a, b), a, b, fromBlocks)
	}
	for x, a := range ps {
		for _, b := range ps[x:] {
			j, ok := f.jobs[[2]int{a, b}]
			if !ok {
				continue
			}
			ra, rb := byPartner[a], byPartner[b]
			var n int64
			if a == b {
				n = int64(len(ra)) * int64(len(ra)-1) / 2
			} else {
				n = int64(len(ra)) * int64(len(rb))
			}
			if n == 0 {
				continue
			}
			k := statKey(j, pass)
			if n > f.maxPair {
				stats[k] = addBlockStat(stats[k], BlockStat{SkippedBlocks: 1, SkippedPairs: n})
				continue
			}
			stats[k] = addBlockStat(stats[k], BlockStat{Blocks: 1, Pairs: n})
			if a == b {
				for s, i := range ra {
					for _, k := range ra[s+1:] {
						add(Ref(a, i), Ref(a, k))
					}
				}
				continue
			}
			for _, i := range ra {
				for _, k := range rb {
					add(Ref(a, i), Ref(b, k))
				}
			}
		}
	}
}

// Hit is one match of the Dice pass: candidate row J with its Dice score.
type Hit struct {
	J     int
	Score float64
}

// diceFn runs the Dice kernel on one chunk pair of a job and emits each
// query's best matches (at most DiceTopK, at or above DiceThreshold) in
// packets (kindHit) to the bucket of the job and query row.
type diceFn struct {
	Plan string

	plan *Plan
}

func (f *diceFn) Setup() error {
	var err error
	f.plan, err = DecodePlan(f.Plan)
	return err
}

func (f *diceFn) ProcessElement(ctx context.Context, key int, packets func(*[]byte) bool, emit func(int, []byte)) error {
	p := f.plan
	k := chunkJob(key)
	var qs, cs []ClkItem
	dedupChunk := false
	err := readPackets(packets, func(kd kind, b []byte) error {
		if kd != kindClk {
			return errCorrupt
		}
		var it ClkItem
		d := decoder{b: b}
		d.clk(&it)
		switch it.Side {
		case 0:
			qs = append(qs, it)
		case 1:
			cs = append(cs, it)
		case 2:
			qs = append(qs, it)
			dedupChunk = true
		default:
			return errCorrupt
		}
		return d.done()
	})
	if err != nil {
		return err
	}
	byRow := func(x, y ClkItem) int { return x.Row - y.Row }
	slices.SortFunc(qs, byRow)
	slices.SortFunc(cs, byRow)
	if dedupChunk {
		cs = qs
	}
	if len(qs) == 0 || len(cs) == 0 {
		return nil
	}
	arena := func(items []ClkItem) bitvec.Arena {
		a := bitvec.NewArena(0, 64*len(items[0].CLK))
		for _, it := range items {
			a.Append(it.CLK)
		}
		return a
	}
	qa := arena(qs)
	opts := []match.Option{match.Threshold(p.DiceThreshold), match.TopK(p.DiceTopK), match.Workers(1), match.Ordered(true)}
	hits := map[int][]Hit{}
	collect := func(ms []match.Match) error {
		for _, m := range ms {
			q := qs[m.I].Row
			hits[q] = append(hits[q], Hit{J: cs[m.J].Row, Score: m.Score})
		}
		return nil
	}
	if dedupChunk {
		_, err = match.SearchDedup(ctx, qa, match.NewIndex(qa), collect, opts...)
	} else {
		_, err = match.Search(ctx, qa, match.NewIndex(arena(cs)), collect, opts...)
	}
	if err != nil {
		return err
	}
	out := newPacker(kindHit, emit)
	for q, hs := range hits {
		for _, h := range hs {
			out.add(p.bucket(mix(uint64(k))^uint64(q)), func(b []byte) []byte { return appendHit(b, k, q, h) })
		}
	}
	out.flush()
	return nil
}

func appendHit(b []byte, k, q int, h Hit) []byte {
	b = binary.AppendUvarint(b, uint64(k))
	b = binary.AppendUvarint(b, uint64(q))
	b = binary.AppendUvarint(b, uint64(h.J))
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(h.Score))
}

// queryHit is a hit of the Dice pass with its job and query row.
type queryHit struct {
	k, q int
	Hit
}

func (d *decoder) hit(h *queryHit) {
	h.k, h.q, h.J = int(d.uvarint()), int(d.uvarint()), int(d.uvarint())
	h.Score = d.float()
}

// topHitsFn merges each query's matches from all chunk pairs (the queries
// of one bucket) into its global top k (best score first, ties to the
// lower row, as match.TopK) and emits the candidate pairs.
type topHitsFn struct {
	Plan string

	plan *Plan
}

func (f *topHitsFn) Setup() error {
	var err error
	f.plan, err = DecodePlan(f.Plan)
	return err
}

func (f *topHitsFn) ProcessElement(_ int, packets func(*[]byte) bool, emit func(int, []byte)) error {
	p := f.plan
	all, err := collectPackets(packets, kindHit, (*decoder).hit)
	if err != nil {
		return err
	}
	slices.SortFunc(all, func(x, y queryHit) int {
		if c := cmp.Or(cmp.Compare(x.k, y.k), cmp.Compare(x.q, y.q)); c != 0 {
			return c
		}
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		}
		return x.J - y.J
	})
	pairs := newPairPacker(emit)
	for lo := 0; lo < len(all); {
		hi := lo + 1
		for hi < len(all) && all[hi].k == all[lo].k && all[hi].q == all[lo].q {
			hi++
		}
		k, q := all[lo].k, all[lo].q
		if k < 0 || k >= len(p.Jobs) {
			return errCorrupt
		}
		j := p.Jobs[k]
		for _, h := range all[lo:min(hi, lo+p.DiceTopK)] {
			a, b := Ref(j.A, q), Ref(j.B, h.J)
			pairs.add(p.pairCell(a, b), a, b, fromDice)
		}
		lo = hi
	}
	pairs.flush()
	return nil
}
