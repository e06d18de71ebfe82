package beamlink

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"
)

// TestPacker sends entries to buckets and reads them back: every entry
// once, in its bucket and order, packets split at maxPacket.
func TestPacker(t *testing.T) {
	got := map[int][][]byte{}
	packets := 0
	p := newPacker(kindNodes, func(k int, b []byte) {
		packets++
		if kind(b[0]) != kindNodes {
			t.Fatalf("packet kind %d", b[0])
		}
		if len(b) > maxPacket+1010 { // at most one entry past the limit
			t.Errorf("packet of %d bytes", len(b))
		}
		if err := readPacket(b, func(_ kind, e []byte) error {
			got[k] = append(got[k], bytes.Clone(e))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
	big := bytes.Repeat([]byte{7}, 1000)
	const n = 30_000
	for i := range n {
		p.add(i%3, func(b []byte) []byte {
			b = binary.AppendUvarint(b, uint64(i))
			return append(b, big[:i%1000]...)
		})
	}
	p.flush()
	if packets <= 3 {
		t.Errorf("%d packets: ~5 MB per bucket should have been split", packets)
	}
	for k := range 3 {
		want := k
		for _, e := range got[k] {
			v, w := binary.Uvarint(e)
			if int(v) != want || len(e)-w != want%1000 {
				t.Fatalf("bucket %d: entry %d (%d bytes), want %d", k, v, len(e)-w, want)
			}
			want += 3
		}
		if want < n {
			t.Errorf("bucket %d: entries end at %d", k, want)
		}
	}
	for _, bad := range [][]byte{nil, {byte(kindNodes), 5, 1}, {byte(kindNodes), 0x80}} {
		if err := readPacket(bad, func(kind, []byte) error { return nil }); err == nil {
			t.Errorf("readPacket(%v): no error", bad)
		}
	}
}

// TestGridCells checks that the cell of every pair holds both its records.
func TestGridCells(t *testing.T) {
	for _, g := range []int{1, 2, 3, 5} {
		p := &Plan{Grid: g}
		holds := map[int]map[uint64]bool{}
		var refs []uint64
		for part := range 3 {
			for row := range 50 {
				ref := Ref(part, row)
				refs = append(refs, ref)
				for x := range g {
					c := p.cell(p.group(ref), x)
					if holds[c] == nil {
						holds[c] = map[uint64]bool{}
					}
					holds[c][ref] = true
				}
			}
		}
		if len(holds) != g*(g+1)/2 {
			t.Errorf("grid %d: %d cells, want %d", g, len(holds), g*(g+1)/2)
		}
		// One grouping per cell (up to maxCellStages).
		stages := map[int]int{}
		for c := range holds {
			st := stageOfCell(c, nil)
			if st < 0 || st >= p.cellStages() {
				t.Fatalf("grid %d: cell %d in grouping %d of %d", g, c, st, p.cellStages())
			}
			stages[st]++
		}
		if len(stages) != len(holds) {
			t.Errorf("grid %d: %d cells in %d groupings", g, len(holds), len(stages))
		}
		for _, a := range refs {
			for _, b := range refs {
				if c := p.pairCell(a, b); !holds[c][a] || !holds[c][b] {
					t.Fatalf("grid %d: cell %d of a pair lacks one of its records", g, c)
				}
			}
		}
	}
}

// TestPairRuns packs pairs to cells as runs and reads them back: each
// candidate pair once per cell with its sources or-ed, each random pair
// once per draw.
func TestPairRuns(t *testing.T) {
	type key struct {
		cell int
		a, b uint64
	}
	want := map[key]uint64{} // candidate pairs: or of sources
	wantSamples := map[key]int{}
	got := map[key]uint64{}
	gotSamples := map[key]int{}
	p := newPairPacker(func(cell int, b []byte) {
		if err := readPacket(b, func(k kind, e []byte) error {
			if k != kindPair {
				t.Fatalf("packet kind %d", k)
			}
			d := decoder{b: e}
			for _, pe := range d.pairRun(nil) {
				kk := key{cell, pe.a, pe.b}
				if pe.src >= sampleBase {
					gotSamples[kk]++
					continue
				}
				if _, dup := got[kk]; dup {
					t.Errorf("pair %v twice in cell %d", kk, cell)
				}
				got[kk] |= pe.src
			}
			return d.done()
		}); err != nil {
			t.Fatal(err)
		}
	})
	for i := range 3 * pairBuffer {
		a := Ref(i%3, i%5000)
		b := Ref(i%3+1, (i*7919)%20000)
		cell := i % 4
		src := uint64(fromBlocks)
		switch i % 11 {
		case 0:
			src = fromDice
		case 1:
			src = sampleBase + 2
			wantSamples[key{cell, a, b}]++
			p.add(cell, a, b, src)
			continue
		}
		want[key{cell, a, b}] |= src
		p.add(cell, a, b, src)
	}
	p.flush()
	if len(got) != len(want) || len(gotSamples) != len(wantSamples) {
		t.Fatalf("%d candidate pairs and %d sampled, want %d and %d", len(got), len(gotSamples), len(want), len(wantSamples))
	}
	for k, src := range want {
		if got[k] != src {
			t.Fatalf("pair %v: sources %d, want %d", k, got[k], src)
		}
	}
	for k, n := range wantSamples {
		if gotSamples[k] != n {
			t.Fatalf("random pair %v: %d draws, want %d", k, gotSamples[k], n)
		}
	}
}

// TestComparedRuns packs compared candidates as runs and reads them back
// in order.
func TestComparedRuns(t *testing.T) {
	var want []Compared
	for a := range 40 {
		for b := range (a * 211) % (2 * maxRun) {
			c := Compared{A: Ref(0, a), B: Ref(1+b%2, b*3), Pattern: uint64(a*b) % 5000}
			if b%3 == 0 {
				c.Freq = []int64{0, int64(b), 0}
			}
			want = append(want, c)
		}
	}
	var got []Compared
	r := newComparedRuns(func(b []byte) {
		if err := readPacket(b, func(_ kind, e []byte) error {
			d := decoder{b: e}
			d.comparedRun(func(c *Compared) { got = append(got, *c) })
			return d.done()
		}); err != nil {
			t.Fatal(err)
		}
	})
	for i := range want {
		r.add(&want[i])
	}
	r.flush()
	if len(got) != len(want) {
		t.Fatalf("%d compared, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if g.A != w.A || g.B != w.B || g.Pattern != w.Pattern || !slices.Equal(g.Freq, w.Freq) {
			t.Fatalf("compared %d: %+v, want %+v", i, g, w)
		}
	}
}

// TestPairRunSlices reads runs of pairs in n slices: every pair in exactly
// one slice, all the pairs of one first record in the same slice.
func TestPairRunSlices(t *testing.T) {
	var es []pairEntry
	for a := range 300 {
		for b := range a % 17 {
			es = append(es, pairEntry{a: Ref(a%3, a), b: Ref(1, b*5), src: uint64(1 + b%2)})
		}
	}
	slices.SortFunc(es, comparePairs)
	run := appendPairRun(nil, es)
	for _, n := range []int{1, 2, 7, 64} {
		var all []pairEntry
		sliceOfA := map[uint64]int{}
		for s := range n {
			d := decoder{b: run}
			got := d.pairRunSlice(nil, s, n)
			if err := d.done(); err != nil {
				t.Fatal(err)
			}
			for _, e := range got {
				if prev, ok := sliceOfA[e.a]; ok && prev != s {
					t.Fatalf("%d slices: record %d in slices %d and %d", n, e.a, prev, s)
				}
				sliceOfA[e.a] = s
			}
			all = append(all, got...)
		}
		slices.SortFunc(all, comparePairs)
		if !slices.Equal(all, es) {
			t.Fatalf("%d slices: %d pairs, want %d", n, len(all), len(es))
		}
	}
}

// TestDefaultGrid: the grid grows with the records so that the largest
// cell's estimated input stays under cellBytes (below Prism's 2 GiB
// message), and a small linkage is one cell.
func TestDefaultGrid(t *testing.T) {
	cell := func(n, g int) float64 {
		if g == 1 {
			return float64(n) * (cellRecordBytes + cellPairBytes)
		}
		return 2*float64(n)*cellRecordBytes/float64(g) + 2*float64(n)*cellPairBytes/float64(g*g)
	}
	prev := 0
	for _, n := range []int{0, 1, 10_000, 200_000, 500_000, 1_004_660, 10_000_000, 100_000_000} {
		g := DefaultGrid(n)
		if g < prev {
			t.Errorf("%d records: grid %d, smaller than %d for fewer", n, g, prev)
		}
		prev = g
		if cell(n, g) > cellBytes {
			t.Errorf("%d records: grid %d, largest cell %.0f bytes", n, g, cell(n, g))
		}
		if g > 1 && cell(n, g-1) <= cellBytes {
			t.Errorf("%d records: grid %d, but %d would do", n, g, g-1)
		}
	}
	if g := DefaultGrid(10_000); g != 1 {
		t.Errorf("10,000 records: grid %d, want 1", g)
	}
}
