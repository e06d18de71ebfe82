package encoding

import (
	"context"
	"io"

	"github.com/welfare-district/swd/internal/bitvec"
)

// NewDataset returns an empty dataset with the given layout, ready for
// Append.
func NewDataset(meta Meta, l Layout) *Dataset {
	d := &Dataset{Meta: meta, CLK: bitvec.Arena{Words: bitvec.WordsFor(l.CLKBits)}}
	for _, f := range l.Fields {
		d.Fields = append(d.Fields, FieldColumn{FieldSpec: f, Filters: bitvec.Arena{Words: bitvec.WordsFor(f.Bits)}})
	}
	for _, n := range l.BlockKeys {
		d.BlockKeys = append(d.BlockKeys, StringColumn{Name: n})
	}
	for _, n := range l.Attrs {
		d.Attrs = append(d.Attrs, StringColumn{Name: n})
	}
	return d
}

// Append copies rec into the dataset as its last row. rec must have the
// dataset's layout; a nil field filter is stored as absent (all zero).
func (d *Dataset) Append(rec *Record) {
	d.RecordIDs = append(d.RecordIDs, rec.RecordID)
	d.CLK.Append(rec.CLK)
	for i := range d.Fields {
		c := &d.Fields[i]
		if f := rec.Fields[i]; f != nil {
			c.Filters.Append(f)
			c.Present = append(c.Present, true)
		} else {
			c.Filters.Data = append(c.Filters.Data, make([]uint64, c.Filters.Words)...)
			c.Present = append(c.Present, false)
		}
	}
	for i := range d.BlockKeys {
		d.BlockKeys[i].Values = append(d.BlockKeys[i].Values, rec.BlockKeys[i])
	}
	for i := range d.Attrs {
		d.Attrs[i].Values = append(d.Attrs[i].Values, rec.Attrs[i])
	}
}

// Rows is a Source over rows held in memory; row numbers start at 1.
type Rows struct {
	rows [][]string
	i    int
}

// NewRows returns a Source over rows (data only, no header).
func NewRows(rows [][]string) *Rows { return &Rows{rows: rows} }

// Next returns the next row, or io.EOF.
func (r *Rows) Next() ([]string, int, error) {
	if r.i >= len(r.rows) {
		return nil, r.i, io.EOF
	}
	r.i++
	return r.rows[r.i-1], r.i, nil
}

// EncodeDataset encodes in-memory rows into a Dataset (with Meta filled in
// except Created and CodeVersion), returning the rejects alongside. It is
// the convenience form of Encode for tests and small inputs.
func (e *Encoder) EncodeDataset(ctx context.Context, header []string, rows [][]string) (*Dataset, []Reject, Stats, error) {
	d := NewDataset(e.Meta(Stats{}), e.Layout())
	var rejects []Reject
	st, err := e.Encode(ctx, header, NewRows(rows), Output{
		Record: func(_ string, r *Record) error { d.Append(r); return nil },
		Reject: func(r Reject) error { rejects = append(rejects, r); return nil },
	})
	if err != nil {
		return nil, nil, st, err
	}
	d.Meta.Rows, d.Meta.Rejected = st.Encoded, st.Rejected
	return d, rejects, st, nil
}

// Meta returns the metadata of an encoded file written by this encoder with
// the given run statistics; the caller sets Created and CodeVersion.
func (e *Encoder) Meta(st Stats) Meta {
	return Meta{
		FormatVersion:      FormatVersion,
		SchemaFingerprint:  Fingerprint(e.schema),
		KeyCheck:           e.keyCheck,
		Partner:            e.partner,
		Rows:               st.Encoded,
		Rejected:           st.Rejected,
		Pseudonymised:      e.Pseudonymised(),
		PseudonymisedAttrs: e.PseudonymisedAttrs(),
		Schema:             e.schema.Canonical(),
	}
}
