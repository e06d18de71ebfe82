package match

import (
	"github.com/welfare-district/swd/internal/bitvec"
)

// Sizes of the work units; variables so that tests can shrink them.
var (
	// batchLen is how many candidates one kernel call scores: 1024 counts
	// (4 KiB) stay in L1 next to the query.
	batchLen = 1024
	// tileBytes is the size of the candidate tile that all the queries of a
	// chunk scan before moving on, so that it is read from L2 (512 KiB per
	// core on the reference machine) rather than from L3 or memory.
	tileBytes = 256 << 10
)

// worker holds one goroutine's scratch space.
type worker struct {
	ix    *Index
	o     options
	need  []uint32
	dedup bool // keep only pairs with I < J
	// tri: the queries are the index's own sorted filters, query k is
	// compared only with candidates after k, and pairs are reported as
	// (min, max) of the original positions: each unordered pair once.
	tri   bool
	dst   []uint32
	out   []Match
	top   topK
	qs    []queryRange
	stats Stats
}

// queryRange is a query of the current chunk and its admissible candidates.
type queryRange struct {
	i      uint32
	pa     uint32
	lo, hi int
}

func newWorker(ix *Index, o options, need []uint32, dedup bool) *worker {
	return &worker{ix: ix, o: o, need: need, dedup: dedup,
		dst: make([]uint32, batchLen), top: topK{k: o.topK}}
}

// chunk searches queries [from, to) of a. When fresh is set the result is a
// new slice the caller may keep; otherwise the worker's buffer is reused.
func (w *worker) chunk(a bitvec.Arena, from, to int, fresh bool) []Match {
	out := w.out[:0]
	if fresh {
		out = nil
	}
	if w.o.topK > 0 {
		for i := from; i < to; i++ {
			out = w.query(uint32(i), a.At(i), out)
		}
	} else {
		out = w.tiled(a, from, to, out)
	}
	if w.o.ordered {
		sortMatches(out)
	}
	if !fresh {
		w.out = out
	}
	w.stats.Matches += int64(len(out))
	return out
}

// prepare computes the popcount and admissible range of query i.
func (w *worker) prepare(i uint32, q []uint64) queryRange {
	pa := uint32(bitvec.Count(q))
	lo, hi := w.ix.admissible(pa, w.o.threshold)
	if w.tri {
		lo = max(lo, int(i)+1)
		hi = max(hi, lo)
	}
	w.stats.Pruned += int64(w.ix.Len() - (hi - lo))
	w.stats.Compared += int64(hi - lo)
	return queryRange{i: i, pa: pa, lo: lo, hi: hi}
}

// tiled runs the threshold search for queries [from, to): for each tile of
// candidates, every query of the chunk scans its admissible part of it.
func (w *worker) tiled(a bitvec.Arena, from, to int, out []Match) []Match {
	w.qs = w.qs[:0]
	tlo, thi := w.ix.Len(), 0
	for i := from; i < to; i++ {
		r := w.prepare(uint32(i), a.At(i))
		if r.lo < r.hi {
			w.qs = append(w.qs, r)
			tlo, thi = min(tlo, r.lo), max(thi, r.hi)
		}
	}
	tile := max(batchLen, tileBytes/(8*max(w.ix.Words(), 1)))
	for t := tlo; t < thi; t += tile {
		te := min(t+tile, thi)
		for _, r := range w.qs {
			q := a.At(int(r.i))
			for s, e := max(r.lo, t), min(r.hi, te); s < e; s += batchLen {
				out = w.scan(r.i, q, r.pa, s, min(e-s, batchLen), out)
			}
		}
	}
	return out
}

// query appends the matches of query q (index i) to out, through the top-k
// heap when TopK is set.
func (w *worker) query(i uint32, q []uint64, out []Match) []Match {
	r := w.prepare(i, q)
	w.top.reset()
	for s := r.lo; s < r.hi; s += batchLen {
		out = w.scan(i, q, r.pa, s, min(r.hi-s, batchLen), out)
	}
	if w.o.topK > 0 {
		out = w.top.appendSorted(out)
	}
	return out
}

// scan scores query q (index i, popcount pa) against sorted candidates
// [s, s+n), n <= batchLen, and appends (or, with TopK, offers) the matches.
func (w *worker) scan(i uint32, q []uint64, pa uint32, s, n int, out []Match) []Match {
	ix, need := w.ix, w.need
	words := ix.sorted.Words
	dst, counts, orig := w.dst[:n], ix.counts[s:s+n], ix.orig[s:s+n]
	largest := bitvec.AndCountBatch(q, ix.sorted.Data[s*words:(s+n)*words], words, dst)
	// need[] grows with |a|+|b| and the candidates are in popcount order,
	// so the first one is the least demanding: skip the batch if even the
	// largest count cannot satisfy it.
	if largest < need[pa+counts[0]] {
		return out
	}
	for k, c := range dst {
		pb := counts[k]
		if c < need[pa+pb] {
			continue
		}
		qi, j := i, orig[k]
		if w.tri {
			qi = ix.orig[i]
			qi, j = min(qi, j), max(qi, j)
		} else if w.dedup && j <= i {
			continue
		}
		m := Match{I: qi, J: j, Score: bitvec.DiceFromCounts(int(c), int(pa), int(pb))}
		if w.o.topK > 0 {
			w.top.push(m)
		} else {
			out = append(out, m)
		}
	}
	return out
}
