package beamlink

import (
	"bytes"
	"encoding/binary"
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
		if g > 1 && len(holds) != g*(g+1)/2 {
			t.Errorf("grid %d: %d cells, want %d", g, len(holds), g*(g+1)/2)
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
