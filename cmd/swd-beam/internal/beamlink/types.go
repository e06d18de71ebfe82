package beamlink

import (
	"encoding/binary"
	"errors"
)

// Rec is a record as it moves through the pipeline: its reference, its
// partner's record id and household id, and the filters it is compared on.
type Rec struct {
	Ref       uint64
	ID        string
	Household string
	// Contact and Place are the record's co-residence evidence
	// (linkage.CoResidenceKeys: its phone and address filters hashed; 0:
	// none, or co-residence joins are off).
	Contact, Place uint64
	// Fields holds the filter of each comparison's field (plan order);
	// nil when the value is missing.
	Fields [][]uint64
	// Counts holds, for each comparison with the term-frequency
	// adjustment, how many records of each partner have this record's
	// value of the field (nil for the others, and for a missing value).
	Counts [][]int64
}

// The entries write varints and length-prefixed slices; a nil slice and an
// empty one are told apart (length+1, 0 for nil), since nil means missing.

func appendRec(b []byte, r *Rec) []byte {
	b = binary.AppendUvarint(b, r.Ref)
	b = appendString(b, r.ID)
	b = appendString(b, r.Household)
	b = binary.AppendUvarint(b, r.Contact)
	b = binary.AppendUvarint(b, r.Place)
	b = binary.AppendUvarint(b, uint64(len(r.Fields)))
	for _, f := range r.Fields {
		if f == nil {
			b = append(b, 0)
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(f))+1)
		for _, w := range f {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(r.Counts)))
	for _, c := range r.Counts {
		if c == nil {
			b = append(b, 0)
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(c))+1)
		for _, n := range c {
			b = binary.AppendVarint(b, n)
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var errCorrupt = errors.New("beamlink: corrupt element encoding")

// decoder reads what append* wrote; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) count(elemBytes int) int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b))/uint64(max(elemBytes, 1))+1 {
		d.err = errCorrupt
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.count(1)
	if d.err != nil || n > len(d.b) {
		d.err = errCorrupt
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) rec(r *Rec) {
	r.Ref = d.uvarint()
	r.ID = d.string()
	r.Household = d.string()
	r.Contact = d.uvarint()
	r.Place = d.uvarint()
	nf := d.count(1)
	if nf > 0 {
		r.Fields = make([][]uint64, nf)
	}
	for f := 0; f < nf && d.err == nil; f++ {
		n := d.count(8)
		if n == 0 {
			continue
		}
		n--
		if n*8 > len(d.b) {
			d.err = errCorrupt
			return
		}
		v := make([]uint64, n)
		for k := range v {
			v[k] = binary.LittleEndian.Uint64(d.b[8*k:])
		}
		d.b = d.b[8*n:]
		r.Fields[f] = v
	}
	nc := d.count(1)
	if nc > 0 {
		r.Counts = make([][]int64, nc)
	}
	for f := 0; f < nc && d.err == nil; f++ {
		n := d.count(1)
		if n == 0 {
			continue
		}
		c := make([]int64, n-1)
		for k := range c {
			c[k] = d.varint()
		}
		r.Counts[f] = c
	}
}
