package beamlink

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/model"
)

// tfCountFn counts, for each value of a term-frequency field (a filter
// hash) in its bucket, how many records of each partner hold it, and hands
// the counts to each of those records: in the cells of the record's group
// and by the record's reference. For the term-frequency adjustment's Σ n²
// it also sums, for every pair of partners A ≤ B holding a value, the
// square of its count in the two (in A alone when they are the same), keyed
// by sumSqKey.
type tfCountFn struct {
	Plan string

	plan *Plan
}

func (f *tfCountFn) Setup() error {
	var err error
	f.plan, err = DecodePlan(f.Plan)
	return err
}

type tfEntry struct {
	cmp  int
	hash uint64
	ref  uint64
}

func (f *tfCountFn) ProcessElement(_ int, packets func(*[]byte) bool, emitCell, emitRec func(int, []byte), emitSq func(string, int64)) error {
	p := f.plan
	var es []tfEntry
	err := readPackets(packets, func(_ kind, b []byte) error {
		d := decoder{b: b}
		es = append(es, tfEntry{cmp: int(d.uvarint()), hash: d.fixed64(), ref: d.uvarint()})
		return d.done()
	})
	if err != nil {
		return err
	}
	slices.SortFunc(es, func(x, y tfEntry) int {
		return cmp.Or(cmp.Compare(x.cmp, y.cmp), cmp.Compare(x.hash, y.hash), cmp.Compare(x.ref, y.ref))
	})
	cells, recs := newPacker(kindTFItem, emitCell), newPacker(kindTFItem, emitRec)
	sq := map[string]int64{}
	for lo := 0; lo < len(es); {
		hi := lo + 1
		for hi < len(es) && es[hi].cmp == es[lo].cmp && es[hi].hash == es[lo].hash {
			hi++
		}
		counts := make([]int64, len(p.Partners))
		for _, e := range es[lo:hi] {
			counts[partnerOf(e.ref)]++
		}
		c := es[lo].cmp
		for a := range counts {
			for b := a; b < len(counts); b++ {
				n := counts[a]
				if b != a {
					n += counts[b]
				}
				if n > 0 {
					sq[sumSqKey(c, a, b)] += n * n
				}
			}
		}
		for _, e := range es[lo:hi] {
			enc := func(b []byte) []byte { return appendTFItem(b, e.ref, e.cmp, counts) }
			g := p.group(e.ref)
			for x := range p.Grid {
				cells.add(p.cell(g, x), enc)
			}
			recs.add(p.bucket(e.ref), enc)
		}
		lo = hi
	}
	cells.flush()
	recs.flush()
	for k, n := range sq {
		emitSq(k, n)
	}
	return nil
}

// sumSqKey keys the Σ n² of comparison c's values over partners a ≤ b.
func sumSqKey(c, a, b int) string { return fmt.Sprintf("%d/%d/%d", c, a, b) }

// readSumSq reads the Σ n² of every comparison and pair of partners.
func readSumSq(sums func(*string, *int64) bool) map[string]float64 {
	out := map[string]float64{}
	var k string
	var n int64
	for sums(&k, &n) {
		out[k] += float64(n)
	}
	return out
}

func appendTFItem(b []byte, ref uint64, c int, counts []int64) []byte {
	b = binary.AppendUvarint(b, ref)
	b = binary.AppendUvarint(b, uint64(c))
	b = binary.AppendUvarint(b, uint64(len(counts)))
	for _, n := range counts {
		b = binary.AppendVarint(b, n)
	}
	return b
}

// records gathers the records of a group's packets, with the counts of
// their term-frequency values attached.
type records struct {
	byRef map[uint64]*Rec
}

func newRecords() *records { return &records{byRef: map[uint64]*Rec{}} }

// read takes a kindRec or kindTFItem entry; it reports false for others.
func (rs *records) read(k kind, b []byte) (bool, error) {
	d := decoder{b: b}
	switch k {
	case kindRec:
		r := &Rec{}
		d.rec(r)
		if old, ok := rs.byRef[r.Ref]; ok {
			r.Counts = old.Counts // counts arrived first
		}
		rs.byRef[r.Ref] = r
	case kindTFItem:
		ref, c := d.uvarint(), int(d.uvarint())
		n := d.count(1)
		counts := make([]int64, n)
		for k := range counts {
			counts[k] = d.varint()
		}
		r, ok := rs.byRef[ref]
		if !ok {
			r = &Rec{Ref: ref}
			rs.byRef[ref] = r
		}
		if c < 0 || c >= 1<<16 {
			return true, errCorrupt
		}
		if len(r.Counts) <= c {
			r.Counts = append(r.Counts, make([][]int64, c+1-len(r.Counts))...)
		}
		r.Counts[c] = counts
	default:
		return false, nil
	}
	return true, d.done()
}

// finish sizes every record's counts to its fields (nil when none).
func (rs *records) finish() {
	for _, r := range rs.byRef {
		if r.Counts != nil && len(r.Counts) < len(r.Fields) {
			r.Counts = append(r.Counts, make([][]int64, len(r.Fields)-len(r.Counts))...)
		}
	}
}

// Sources of a candidate pair, or-ed over its occurrences; a random pair of
// job k has source sampleBase+k.
const (
	fromBlocks = 1
	fromDice   = 2
	sampleBase = 8
)

// sampleFn draws the random pairs of job k exactly as linkage.Link does
// (linkage.USample, model.SamplePairs), and sends each to its cell.
type sampleFn struct {
	Plan string
}

func (f *sampleFn) ProcessElement(k int, emit func(int, []byte)) error {
	p, err := DecodePlan(f.Plan)
	if err != nil {
		return err
	}
	n, seed, na, nb := p.sample(k)
	if n == 0 {
		return nil
	}
	j := p.Jobs[k]
	pairs := newPairPacker(emit)
	for i, jj := range model.SamplePairs(na, nb, j.Dedup(), n, seed) {
		a, b := Ref(j.A, i), Ref(j.B, jj)
		pairs.add(p.pairCell(a, b), a, b, uint64(sampleBase+k))
	}
	pairs.flush()
	return nil
}

// sample is the size and seed of job k's random sample, and its sides.
func (p *Plan) sample(k int) (n int, seed uint64, na, nb int) {
	var total float64
	for _, j := range p.Jobs {
		total += j.Space(p.Partners[j.A].Rows, p.Partners[j.B].Rows)
	}
	j := p.Jobs[k]
	na, nb = p.Partners[j.A].Rows, p.Partners[j.B].Rows
	n, seed = linkage.USample(k, j.Space(na, nb), total, p.config())
	return n, seed, na, nb
}

// Compared is a candidate pair with its agreement pattern and, for each
// term-frequency comparison at its exact level, the frequency of the
// agreed value among the pair's two partners (0 otherwise).
type Compared struct {
	A, B    uint64
	Pattern uint64
	Freq    []int64
}

// cellFn compares the pairs of one cell of the grid: it holds the records
// of the cell's two groups, the pairs blocking and the Dice pass found
// between them (each distinct pair is compared once, whichever blocks found
// it) and the random pairs behind u. It emits the candidates with their
// patterns, the pattern counts of the candidates and of each job's random
// sample, and per job how many distinct pairs blocking found.
type cellFn struct {
	Plan string

	plan *Plan
	rc   *model.RecordComparer
	jobs map[[2]int]int
}

func (f *cellFn) Setup() error {
	var err error
	if f.plan, err = DecodePlan(f.Plan); err != nil {
		return err
	}
	f.jobs = f.plan.jobIndex()
	f.rc, err = model.NewRecordComparer(f.plan.Cmps)
	return err
}

type pairEntry struct {
	a, b, src uint64
}

func (f *cellFn) ProcessElement(_ context.Context, _ int, packets func(*[]byte) bool,
	emitCand func([]byte), emitPattern func(string, int64), emitSample func(string, int64), emitBlocked func(int, int64)) error {
	// The records, decoded; the pairs' packets kept as they are (runs,
	// ~6 bytes a pair against 24 decoded), with how many pairs they hold.
	// A grouping's values can be iterated once, hence the packets kept.
	rs := newRecords()
	var pairPackets [][]byte
	var entries int
	var b []byte
	for packets(&b) {
		err := readPacket(b, func(k kind, e []byte) error {
			if ok, err := rs.read(k, e); ok || err != nil {
				return err
			}
			if k != kindPair {
				return errCorrupt
			}
			d := decoder{b: e}
			entries += d.count(3)
			return d.err
		})
		if err != nil {
			return err
		}
		if kind(b[0]) == kindPair {
			pairPackets = append(pairPackets, b)
		}
	}
	rs.finish()
	get := func(ref uint64) (*Rec, error) {
		r, ok := rs.byRef[ref]
		if !ok || r.Fields == nil {
			return nil, fmt.Errorf("beamlink: a pair of a cell names a record outside it")
		}
		return r, nil
	}
	out := newComparedRuns(emitCand)
	patterns := map[string]int64{}
	samples := map[string]int64{}
	blocked := map[int]int64{}
	// Then the pairs, in slices of their first record (a hash of it), so
	// that no more than about Plan.CellPairs pairs are decoded at once
	// whatever the cell's size (every occurrence of a pair falls in the
	// same slice), each slice one pass over the kept packets.
	n := max(1, (entries+f.plan.cellPairs()-1)/f.plan.cellPairs())
	var pairs []pairEntry
	for slice := range n {
		pairs = pairs[:0]
		for _, pk := range pairPackets {
			err := readPacket(pk, func(_ kind, e []byte) error {
				d := decoder{b: e}
				pairs = d.pairRunSlice(pairs, slice, n)
				return d.done()
			})
			if err != nil {
				return err
			}
		}
		slices.SortFunc(pairs, comparePairs)
		if err := f.compare(pairs, get, out, patterns, samples, blocked); err != nil {
			return err
		}
		out.end()
	}
	out.flush()
	for k, n := range patterns {
		emitPattern(k, n)
	}
	for k, n := range samples {
		emitSample(k, n)
	}
	for k, n := range blocked {
		emitBlocked(k, n)
	}
	return nil
}

// compare compares the distinct pairs of sorted pairs, counting their
// patterns (samples: the random pairs'; blocked: per job, the distinct
// pairs blocking found) and sending the candidates to out.
func (f *cellFn) compare(pairs []pairEntry, get func(uint64) (*Rec, error), out *comparedRuns,
	patterns, samples map[string]int64, blocked map[int]int64) error {
	for lo := 0; lo < len(pairs); {
		e := pairs[lo]
		hi := lo + 1
		src := e.src
		if src < sampleBase {
			for hi < len(pairs) && pairs[hi].a == e.a && pairs[hi].b == e.b && pairs[hi].src < sampleBase {
				src |= pairs[hi].src
				hi++
			}
		}
		lo = hi
		a, err := get(e.a)
		if err != nil {
			return err
		}
		b, err := get(e.b)
		if err != nil {
			return err
		}
		key := f.rc.Key(a.Fields, b.Fields)
		if src >= sampleBase {
			samples[sampleKey(int(src-sampleBase), key)]++
			continue
		}
		job := f.jobs[[2]int{partnerOf(e.a), partnerOf(e.b)}]
		if src&fromBlocks != 0 {
			blocked[job]++
		}
		patterns[sampleKey(job, key)]++
		c := Compared{A: e.a, B: e.b, Pattern: key, Freq: f.plan.freqs(a, partnerOf(e.b), key)}
		out.add(&c)
	}
	return nil
}

// freqs returns, for each term-frequency comparison at its exact level in
// pattern key, how often a's value occurs in a's and b's partners (in a's
// partner alone when they are the same), as model.Scorer counts it.
func (p *Plan) freqs(a *Rec, pb int, key uint64) []int64 {
	if p.NoTF || a.Counts == nil {
		return nil
	}
	var out []int64
	pa := partnerOf(a.Ref)
	rest := key
	for c, cmp := range p.Cmps {
		n := uint64(cmp.Levels())
		l := int(rest % n)
		rest /= n
		if !cmp.TF || l != cmp.ExactLevel() || a.Counts[c] == nil {
			continue
		}
		if out == nil {
			out = make([]int64, len(p.Cmps))
		}
		out[c] = a.Counts[c][pa]
		if pb != pa {
			out[c] += a.Counts[c][pb]
		}
	}
	return out
}

func sampleKey(job int, pattern uint64) string {
	b := binary.BigEndian.AppendUint32(nil, uint32(job))
	return string(binary.BigEndian.AppendUint64(b, pattern))
}

func sampleOf(k string) (job int, pattern uint64) {
	return int(binary.BigEndian.Uint32([]byte(k[:4]))), binary.BigEndian.Uint64([]byte(k[4:]))
}

func sumInt64(a, b int64) int64 { return a + b }
