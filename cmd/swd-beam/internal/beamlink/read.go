package beamlink

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/model"
)

// Task is one row group of one encoded file.
type Task struct {
	Partner int
	Group   int
	First   int // row of the group's first record in the file
}

// Tasks lists the row groups of all files.
func (p *Plan) Tasks() []Task {
	var out []Task
	for i, pt := range p.Partners {
		first := 0
		for g, n := range pt.Groups {
			out = append(out, Task{Partner: i, Group: g, First: first})
			first += int(n)
		}
	}
	return out
}

// ClkItem is a record's CLK on its way to a chunk pair of the exhaustive
// Dice pass (a kindClk entry). Side 0: a query (the job's A side), 1: a
// candidate (B side), 2: both (de-duplication within one chunk).
type ClkItem struct {
	Side int
	Row  int
	CLK  []uint64
}

func appendClk(b []byte, side, row int, clk []uint64) []byte {
	b = binary.AppendUvarint(b, uint64(side))
	b = binary.AppendUvarint(b, uint64(row))
	for _, w := range clk {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return b
}

func (d *decoder) clk(it *ClkItem) {
	it.Side, it.Row = int(d.uvarint()), int(d.uvarint())
	if d.err != nil || len(d.b)%8 != 0 {
		d.err = errCorrupt
		return
	}
	it.CLK = make([]uint64, len(d.b)/8)
	for i := range it.CLK {
		it.CLK[i] = binary.LittleEndian.Uint64(d.b[8*i:])
	}
	d.b = nil
}

// readFn reads one row group and emits its records (to the cells of the
// comparison grid, and by reference for the clustering), their blocking
// keys, their term-frequency keys and totals, their CLKs for the Dice
// pass, and their partner household ids (to the bucket of the id). All
// but the totals and CLKs travel in packets.
type readFn struct {
	Plan string

	plan  *Plan
	first []int
}

func (f *readFn) Setup() error {
	var err error
	f.plan, err = DecodePlan(f.Plan)
	f.first, _ = f.plan.subPasses()
	return err
}

func (f *readFn) ProcessElement(ctx context.Context, t Task,
	emitCell, emitBlock, emitTF, emitRec func(int, []byte),
	emitTotal func(string, int64), emitClk, emitTie func(int, []byte)) error {
	p := f.plan
	pt := p.Partners[t.Partner]
	local, done, err := Localize(ctx, pt.Path)
	if err != nil {
		return err
	}
	defer done()
	d, err := encfile.ReadRowGroup(ctx, local, t.Group)
	if err != nil {
		return err
	}
	if d.Meta.Partner != pt.Name {
		return fmt.Errorf("%s: partner %q, expected %q", pt.Path, d.Meta.Partner, pt.Name)
	}
	n := d.Len()
	// Filters of the compared fields, with missing values as nil.
	cols := make([][][]uint64, len(p.Cmps))
	totals := make([]int64, len(p.Cmps))
	for c, cmp := range p.Cmps {
		col := d.Field(cmp.Field)
		if col == nil {
			return fmt.Errorf("%s: no field filter %q", pt.Path, cmp.Field)
		}
		cols[c] = make([][]uint64, n)
		for i := range n {
			v := col.Filters.At(i)
			if col.Present[i] && bitvec.Count(v) > 0 {
				cols[c][i] = v
			}
		}
	}
	var hh []string
	if a := d.Attr(p.HouseholdAttr); a != nil {
		hh = a.Values
	}
	// The co-residence evidence, as swd link computes it (the row group
	// is a dataset of its own: a record's values depend on its filters
	// alone).
	var contact, place []uint64
	if !p.NoCoResidence {
		cs, ps, err := linkage.CoResidenceKeys([]*encoding.Dataset{d})
		if err != nil {
			return fmt.Errorf("%s: %w", pt.Path, err)
		}
		if cs != nil {
			contact, place = cs[0], ps[0]
		}
	}
	ties := newPacker(kindHousehold, emitTie)
	cells, recs := newPacker(kindRec, emitCell), newPacker(kindRec, emitRec)
	tfs, blocks := newPacker(kindTF, emitTF), newPacker(kindBlock, emitBlock)
	for i := range n {
		ref := Ref(t.Partner, t.First+i)
		r := Rec{Ref: ref, Fields: make([][]uint64, len(p.Cmps))}
		for c := range p.Cmps {
			r.Fields[c] = cols[c][i]
			if v := cols[c][i]; v != nil && p.Cmps[c].TF && !p.NoTF {
				h := model.FilterHash(v)
				tfs.add(p.bucket(mix(uint64(c))^h), func(b []byte) []byte { return appendTFKey(b, c, h, ref) })
				totals[c]++
			}
		}
		// The cells compare on the filters alone.
		g := p.group(ref)
		for x := range p.Grid {
			cells.add(p.cell(g, x), func(b []byte) []byte { return appendRec(b, &r) })
		}
		r.ID = d.RecordIDs[i]
		if hh != nil && hh[i] != "" {
			r.Household = hh[i]
			key := householdKey(t.Partner, hh[i])
			ties.add(p.bucket(stringHash(key)), func(b []byte) []byte {
				b = appendString(b, key)
				return binary.AppendUvarint(b, ref)
			})
		}
		if contact != nil {
			r.Contact, r.Place = contact[i], place[i]
		}
		recs.add(p.bucket(ref), func(b []byte) []byte { return appendRec(b, &r) })
	}
	cells.flush()
	recs.flush()
	ties.flush()
	tfs.flush()
	for c, n := range totals {
		if n > 0 {
			emitTotal(totalKey(t.Partner, c), n)
		}
	}
	for k, ps := range p.Passes {
		keys, valid, err := blockingKeys(ps, d)
		if err != nil {
			return fmt.Errorf("%s: %w", pt.Path, err)
		}
		for s := range keys {
			sub := f.first[k] + s
			for i, key := range keys[s] {
				if valid[s] == nil || valid[s][i] {
					ref := Ref(t.Partner, t.First+i)
					blocks.add(p.bucket(mix(uint64(sub))^key), func(b []byte) []byte { return appendBlockKey(b, sub, key, ref) })
				}
			}
		}
	}
	blocks.flush()
	clks := newPacker(kindClk, emitClk)
	for k, j := range p.Jobs {
		if !p.diceJob(k) || (t.Partner != j.A && t.Partner != j.B) {
			continue
		}
		f.emitDice(k, t, func(i int) []uint64 { return d.CLK.At(i) }, n, clks)
	}
	clks.flush()
	return nil
}

// emitDice sends each record's CLK to the chunk pairs of job k it takes
// part in: chunk X of A meets every chunk Y of B (Y ≥ X in
// de-duplication, where a chunk meets itself once). The CLKs of a row
// group bound for one chunk pair travel in one packet.
func (f *readFn) emitDice(k int, t Task, clk func(int) []uint64, n int, clks *packer) {
	p := f.plan
	j := p.Jobs[k]
	c := p.DiceChunk
	na, nb := p.Partners[j.A].Rows, p.Partners[j.B].Rows
	ca, cb := (na+c-1)/c, (nb+c-1)/c
	for i := range n {
		row := t.First + i
		v := clk(i)
		x := row / c
		switch {
		case j.Dedup():
			clks.add(chunkKey(k, x, x), func(b []byte) []byte { return appendClk(b, 2, row, v) })
			for y := x + 1; y < ca; y++ {
				clks.add(chunkKey(k, x, y), func(b []byte) []byte { return appendClk(b, 0, row, v) })
			}
			for y := 0; y < x; y++ {
				clks.add(chunkKey(k, y, x), func(b []byte) []byte { return appendClk(b, 1, row, v) })
			}
		case t.Partner == j.A:
			for y := range cb {
				clks.add(chunkKey(k, x, y), func(b []byte) []byte { return appendClk(b, 0, row, v) })
			}
		case t.Partner == j.B:
			for y := range ca {
				clks.add(chunkKey(k, y, x), func(b []byte) []byte { return appendClk(b, 1, row, v) })
			}
		}
	}
}

// Keys of the groupings, as fixed-size binary strings, and of the entries.

func appendBlockKey(b []byte, sub int, key, ref uint64) []byte {
	b = binary.AppendUvarint(b, uint64(sub))
	b = binary.LittleEndian.AppendUint64(b, key)
	return binary.AppendUvarint(b, ref)
}

func appendTFKey(b []byte, c int, h, ref uint64) []byte {
	b = binary.AppendUvarint(b, uint64(c))
	b = binary.LittleEndian.AppendUint64(b, h)
	return binary.AppendUvarint(b, ref)
}

func totalKey(p, c int) string { return fmt.Sprintf("%d/%d", p, c) }

// DiceChunk is the records of a partner in one chunk of the Dice pass. Each
// record's CLK goes to every chunk pair it takes part in, so larger chunks
// shuffle fewer copies (at 8,192, a partner of 20,000 records sends each
// CLK to 3 chunk pairs of a job, where 2,048 sent it to 10); a chunk pair
// is 67 million Dice comparisons, a few seconds of one core.
const DiceChunk = 8192

// chunkKey is the key of chunk pair (x, y) of job k: 24 bits for the job,
// 20 for each chunk (rows are 32-bit, so at DiceChunk ≥ 4,096 a partner
// has fewer than 2²⁰ chunks).
func chunkKey(k, x, y int) int { return k<<40 | x<<20 | y }

func chunkJob(key int) int { return key >> 40 }

// householdKey names partner p's household id h.
func householdKey(p int, h string) string { return strconv.Itoa(p) + "/" + h }
