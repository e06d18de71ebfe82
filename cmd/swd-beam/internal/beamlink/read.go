package beamlink

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/io/encfile"
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
// Dice pass. Side 0: a query (the job's A side), 1: a candidate (B side),
// 2: both (de-duplication within one chunk).
type ClkItem struct {
	Side int
	Row  int
	CLK  []uint64
}

// readFn reads one row group and emits its records (to the cells of the
// comparison grid, and by reference for the clustering), their blocking
// keys, their term-frequency keys and totals, and their CLKs for the Dice
// pass. All but the totals and CLKs travel in packets.
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
	emitTotal func(string, int64), emitClk func(string, ClkItem)) error {
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
		if hh != nil {
			r.Household = hh[i]
		}
		recs.add(p.bucket(ref), func(b []byte) []byte { return appendRec(b, &r) })
	}
	cells.flush()
	recs.flush()
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
	for k, j := range p.Jobs {
		if !p.diceJob(k) || (t.Partner != j.A && t.Partner != j.B) {
			continue
		}
		f.emitDice(k, t, func(i int) []uint64 { return d.CLK.At(i) }, n, emitClk)
	}
	return nil
}

// emitDice sends each record's CLK to the chunk pairs of job k it takes
// part in: chunk X of A meets every chunk Y of B (Y ≥ X in
// de-duplication, where a chunk meets itself once).
func (f *readFn) emitDice(k int, t Task, clk func(int) []uint64, n int, emit func(string, ClkItem)) {
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
			emit(chunkKey(k, x, x), ClkItem{Side: 2, Row: row, CLK: v})
			for y := x + 1; y < ca; y++ {
				emit(chunkKey(k, x, y), ClkItem{Side: 0, Row: row, CLK: v})
			}
			for y := 0; y < x; y++ {
				emit(chunkKey(k, y, x), ClkItem{Side: 1, Row: row, CLK: v})
			}
		case t.Partner == j.A:
			for y := range cb {
				emit(chunkKey(k, x, y), ClkItem{Side: 0, Row: row, CLK: v})
			}
		case t.Partner == j.B:
			for y := range ca {
				emit(chunkKey(k, y, x), ClkItem{Side: 1, Row: row, CLK: v})
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

func chunkKey(k, x, y int) string {
	b := binary.BigEndian.AppendUint32(nil, uint32(k))
	b = binary.BigEndian.AppendUint32(b, uint32(x))
	return string(binary.BigEndian.AppendUint32(b, uint32(y)))
}

func chunkJob(key string) int { return int(binary.BigEndian.Uint32([]byte(key[:4]))) }
