package beamlink

import (
	"cmp"
	"encoding/binary"
	"slices"
)

// Runs. Pairs are the bulk of what the linkage shuffles: at a million
// records, ~145 million pair occurrences go from the blocks to the cells
// and ~134 million compared candidates from the cells to the scoring, and
// a runner such as Prism holds them in memory between the stages. So pairs
// travel as runs: up to maxRun pairs sorted by (a, b) in one entry, each
// a written as the difference to the previous pair's a, and b as the
// difference to the previous b when a is the same (in full when a
// changes). A pair's two references then cost ~3-5 bytes instead of ~12.

// maxRun is the most pairs in one entry, so that no entry grows without
// bound.
const maxRun = 4096

// pairBuffer is how many pairs pairPacker gathers for one cell before it
// sorts them and packs them as runs.
const pairBuffer = 1 << 18

// pairPacker gathers the pairs bound for each cell, and packs each cell's
// sorted pairs as runs (kindPair). Occurrences of one candidate pair
// (sources below sampleBase) are merged, their sources or-ed, as the cell
// merges them; random pairs for u are kept as they are, one per draw.
type pairPacker struct {
	out   *packer
	cells map[int][]pairEntry
}

func newPairPacker(emit func(int, []byte)) *pairPacker {
	return &pairPacker{out: newPacker(kindPair, emit), cells: map[int][]pairEntry{}}
}

// add sends the pair (a, b) from src to cell.
func (p *pairPacker) add(cell int, a, b, src uint64) {
	es := append(p.cells[cell], pairEntry{a: a, b: b, src: src})
	if len(es) >= pairBuffer {
		p.pack(cell, es)
		es = es[:0]
	}
	p.cells[cell] = es
}

// flush packs and emits every cell's pairs.
func (p *pairPacker) flush() {
	for c, es := range p.cells {
		p.pack(c, es)
	}
	clear(p.cells)
	p.out.flush()
}

func (p *pairPacker) pack(cell int, es []pairEntry) {
	slices.SortFunc(es, comparePairs)
	es = mergePairs(es)
	for lo := 0; lo < len(es); lo += maxRun {
		run := es[lo:min(lo+maxRun, len(es))]
		p.out.add(cell, func(buf []byte) []byte { return appendPairRun(buf, run) })
	}
}

func comparePairs(x, y pairEntry) int {
	return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b), cmp.Compare(x.src, y.src))
}

// mergePairs merges, in sorted pairs, the occurrences of one candidate
// pair into one entry with their sources or-ed.
func mergePairs(es []pairEntry) []pairEntry {
	out := es[:0]
	for _, e := range es {
		if n := len(out); n > 0 && e.src < sampleBase && out[n-1].src < sampleBase && out[n-1].a == e.a && out[n-1].b == e.b {
			out[n-1].src |= e.src
			continue
		}
		out = append(out, e)
	}
	return out
}

// refDelta writes the references of pairs sorted by (a, b).
type refDelta struct {
	a, b uint64
}

func (r *refDelta) append(buf []byte, a, b uint64) []byte {
	buf = binary.AppendUvarint(buf, a-r.a)
	if a != r.a {
		r.b = 0
	}
	buf = binary.AppendUvarint(buf, b-r.b)
	r.a, r.b = a, b
	return buf
}

func (r *refDelta) read(d *decoder) (a, b uint64) {
	da := d.uvarint()
	if da != 0 {
		r.b = 0
	}
	r.a += da
	r.b += d.uvarint()
	return r.a, r.b
}

// appendPairRun encodes pairs sorted by (a, b).
func appendPairRun(buf []byte, run []pairEntry) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(run)))
	var r refDelta
	for _, e := range run {
		buf = r.append(buf, e.a, e.b)
		buf = binary.AppendUvarint(buf, e.src)
	}
	return buf
}

// pairRun decodes a run of pairs, appending them to es.
func (d *decoder) pairRun(es []pairEntry) []pairEntry {
	n := d.count(3)
	var r refDelta
	for range n {
		a, b := r.read(d)
		es = append(es, pairEntry{a: a, b: b, src: d.uvarint()})
	}
	return es
}

// pairRunSlice decodes a run of pairs, appending to es those whose first
// record falls in slice of n (all of them when n is 1).
func (d *decoder) pairRunSlice(es []pairEntry, slice, n int) []pairEntry {
	if n == 1 {
		return d.pairRun(es)
	}
	cnt := d.count(3)
	var r refDelta
	last, in := ^uint64(0), false
	for range cnt {
		a, b := r.read(d)
		src := d.uvarint()
		if a != last {
			last, in = a, sliceOf(a, n) == slice
		}
		if in {
			es = append(es, pairEntry{a: a, b: b, src: src})
		}
	}
	return es
}

// sliceOf is the slice of a cell's pairs whose first record is a.
func sliceOf(a uint64, n int) int { return bucketOf(a^0x736c696365, n) }

// comparedRuns packs compared candidates, met in (a, b) order, as runs
// (kindCompared).
type comparedRuns struct {
	out listPacker
	run []byte // the run's pairs, encoded
	n   int
	ref refDelta
}

func newComparedRuns(emit func([]byte)) *comparedRuns {
	return &comparedRuns{out: newListPacker(kindCompared, emit)}
}

func (r *comparedRuns) add(c *Compared) {
	if r.n == maxRun {
		r.end()
	}
	r.run = r.ref.append(r.run, c.A, c.B)
	r.run = binary.AppendUvarint(r.run, c.Pattern)
	r.run = appendFreq(r.run, c.Freq)
	r.n++
}

// end emits the current run.
func (r *comparedRuns) end() {
	if r.n == 0 {
		return
	}
	r.out.add(0, func(buf []byte) []byte {
		buf = binary.AppendUvarint(buf, uint64(r.n))
		return append(buf, r.run...)
	})
	r.run, r.n, r.ref = r.run[:0], 0, refDelta{}
}

func (r *comparedRuns) flush() {
	r.end()
	r.out.flush()
}

func appendFreq(b []byte, freq []int64) []byte {
	if freq == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(freq))+1)
	for _, n := range freq {
		b = binary.AppendVarint(b, n)
	}
	return b
}

// comparedRun decodes a run of compared candidates, calling fn with each
// (c is reused).
func (d *decoder) comparedRun(fn func(c *Compared)) {
	var c Compared
	var r refDelta
	n := d.count(4)
	for range n {
		c.A, c.B = r.read(d)
		c.Pattern = d.uvarint()
		c.Freq = nil
		if k := d.count(1); k > 0 {
			c.Freq = make([]int64, k-1)
			for i := range c.Freq {
				c.Freq[i] = d.varint()
			}
		}
		if d.err != nil {
			return
		}
		fn(&c)
	}
}
