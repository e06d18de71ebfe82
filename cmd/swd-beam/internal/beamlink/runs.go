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
// travel as runs: the pairs of one first record a, sorted by b, as one
// entry — a, the run's length, then per pair the difference to the
// previous b and the pair's own fields. A pair then costs ~3 bytes of
// reference instead of ~13.

// maxRun is the longest run in one entry, so that no entry grows without
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
	for lo := 0; lo < len(es); {
		hi := lo + 1
		for hi < len(es) && hi-lo < maxRun && es[hi].a == es[lo].a {
			hi++
		}
		run := es[lo:hi]
		p.out.add(cell, func(buf []byte) []byte { return appendPairRun(buf, run) })
		lo = hi
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

// appendPairRun encodes pairs of one first record, sorted by b.
func appendPairRun(buf []byte, run []pairEntry) []byte {
	buf = binary.AppendUvarint(buf, run[0].a)
	buf = binary.AppendUvarint(buf, uint64(len(run)))
	var prev uint64
	for _, e := range run {
		buf = binary.AppendUvarint(buf, e.b-prev)
		buf = binary.AppendUvarint(buf, e.src)
		prev = e.b
	}
	return buf
}

// pairRun decodes a run of pairs, appending them to es.
func (d *decoder) pairRun(es []pairEntry) []pairEntry {
	a := d.uvarint()
	n := d.count(2)
	var b uint64
	for range n {
		b += d.uvarint()
		es = append(es, pairEntry{a: a, b: b, src: d.uvarint()})
	}
	return es
}

// comparedRuns packs compared candidates, met in (a, b) order, as runs
// (kindCompared).
type comparedRuns struct {
	out  listPacker
	a    uint64
	run  []byte // the run's pairs, encoded
	n    int
	prev uint64
}

func newComparedRuns(emit func([]byte)) *comparedRuns {
	return &comparedRuns{out: newListPacker(kindCompared, emit)}
}

func (r *comparedRuns) add(c *Compared) {
	if r.n > 0 && (c.A != r.a || r.n == maxRun) {
		r.end()
	}
	if r.n == 0 {
		r.a, r.prev = c.A, 0
	}
	r.run = binary.AppendUvarint(r.run, c.B-r.prev)
	r.run = binary.AppendUvarint(r.run, c.Pattern)
	r.run = appendFreq(r.run, c.Freq)
	r.prev = c.B
	r.n++
}

// end emits the current run.
func (r *comparedRuns) end() {
	if r.n == 0 {
		return
	}
	r.out.add(0, func(buf []byte) []byte {
		buf = binary.AppendUvarint(buf, r.a)
		buf = binary.AppendUvarint(buf, uint64(r.n))
		return append(buf, r.run...)
	})
	r.run, r.n = r.run[:0], 0
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
	c.A = d.uvarint()
	n := d.count(3)
	c.B = 0
	for range n {
		c.B += d.uvarint()
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
