package encfile

import (
	"context"
	"errors"
	"io"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

// scanBatch is the number of rows read at a time by Scan.
const scanBatch = 512

// Scan calls fn for every record of an encoded file, in order, holding one
// batch of rows in memory at a time. The record and its slices are reused:
// they are valid only during the call. If fn returns an error, Scan stops
// and returns it.
func Scan(ctx context.Context, path string, fn func(*encoding.Record) error) (err error) {
	r, err := open(path)
	if err != nil {
		return err
	}
	defer r.f.Close()
	defer recoverCorrupt(path, &err)
	rec := newRecord(r.layout)
	r.fieldBuf = make([][]uint64, len(r.layout.Fields))
	for i, f := range r.layout.Fields {
		r.fieldBuf[i] = make([]uint64, bitvec.WordsFor(f.Bits))
	}
	scratch := make([]byte, 0, 64)
	buf := make([]parquet.Row, scanBatch)
	for g, rg := range r.pf.RowGroups() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := scanGroup(r, rg, buf, rec, scratch, fn); err != nil {
			var se scanError
			if errors.As(err, &se) {
				return invalid(path, "row group %d: %s", g+1, detail(se.err))
			}
			return err
		}
	}
	return nil
}

// scanError is a problem in the file, as opposed to an error of fn.
type scanError struct{ err error }

func (e scanError) Error() string { return e.err.Error() }

func scanGroup(r *file, rg parquet.RowGroup, buf []parquet.Row, rec *encoding.Record, scratch []byte, fn func(*encoding.Record) error) error {
	rows := rg.Rows()
	defer rows.Close()
	for {
		n, err := rows.ReadRows(buf)
		for _, row := range buf[:n] {
			if err := fillRecord(r, row, rec, scratch); err != nil {
				return scanError{err}
			}
			if err := fn(rec); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return scanError{err}
		}
	}
}

func newRecord(l encoding.Layout) *encoding.Record {
	rec := &encoding.Record{
		CLK:       make([]uint64, bitvec.WordsFor(l.CLKBits)),
		Fields:    make([][]uint64, len(l.Fields)),
		BlockKeys: make([]string, len(l.BlockKeys)),
		Attrs:     make([]string, len(l.Attrs)),
	}
	return rec
}

func fillRecord(r *file, row parquet.Row, rec *encoding.Record, scratch []byte) error {
	for i := range rec.Fields {
		rec.Fields[i] = nil
	}
	clear(rec.BlockKeys)
	clear(rec.Attrs)
	for _, v := range row {
		ci := v.Column()
		if ci < 0 || ci >= len(r.cols) {
			return base.Safef("value of unknown column %d", ci)
		}
		c := r.cols[ci]
		switch c.kind {
		case kindPartner:
			if string(v.ByteArray()) != r.meta.Partner {
				return errPartner
			}
		case kindRecordID:
			rec.RecordID = string(v.ByteArray())
		case kindCLK:
			if err := decodeFilter(rec.CLK, v.ByteArray(), scratch, c); err != nil {
				return err
			}
		case kindField:
			if !v.IsNull() {
				f := r.fieldBuf[c.index]
				if err := decodeFilter(f, v.ByteArray(), scratch, c); err != nil {
					return err
				}
				rec.Fields[c.index] = f
			}
		case kindBlock:
			rec.BlockKeys[c.index] = string(v.ByteArray())
		case kindAttr:
			rec.Attrs[c.index] = string(v.ByteArray())
		}
	}
	return nil
}

func decodeFilter(dst []uint64, b, scratch []byte, c column) error {
	if len(b) != c.bytes {
		return base.Safef("column %s: value of %d bytes, want %d", c.name, len(b), c.bytes)
	}
	a := bitvec.Arena{Words: c.words, Data: dst[:0]}
	a.AppendBytes(padded(scratch, b, c.words))
	return nil
}
