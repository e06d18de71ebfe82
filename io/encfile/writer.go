package encfile

import (
	"fmt"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

// rowGroupRows is RowGroupRows, lowered by tests.
var rowGroupRows = RowGroupRows

// batchRows is the number of rows handed to the Parquet writer at a time.
const batchRows = 1024

// Writer writes an encoded file. It is not safe for concurrent use.
type Writer struct {
	f       *atomicfile.File
	pw      *parquet.GenericWriter[any]
	cols    []column
	layout  encoding.Layout
	partner string
	rows    int

	batch int               // rows in the current batch
	vals  [][]parquet.Value // per column, the batch's values
	buf   []byte            // backing store of the batch's byte values
	word  []byte            // scratch for one filter
}

// Create starts an encoded file at path for records of the given layout,
// encoded by partner. Nothing appears at path before Commit.
func Create(path string, layout encoding.Layout, partner string) (*Writer, error) {
	if partner == "" {
		return nil, base.Usagef("encoded file %s: the partner name is empty", path)
	}
	cols, err := columns(layout)
	if err != nil {
		return nil, base.Usagef("encoded file %s: %v", path, err)
	}
	schema, err := schemaOf(cols)
	if err != nil {
		return nil, base.Usagef("encoded file %s: %v", path, err)
	}
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return nil, err
	}
	opts := []parquet.WriterOption{
		schema,
		parquet.Compression(&parquet.Zstd), // the fastest level is ~7% faster but 12% bigger
		parquet.MaxRowsPerRowGroup(int64(rowGroupRows)),
		parquet.CreatedBy("swd", "", ""),
	}
	for _, c := range cols {
		if c.kind == kindCLK || c.kind == kindField {
			// Min/max of random-looking filters select nothing.
			opts = append(opts, parquet.SkipPageBounds(c.name))
		}
	}
	pw := parquet.NewGenericWriter[any](f, opts...)
	w := &Writer{f: f, pw: pw, cols: cols, layout: cloneLayout(layout), partner: partner, buf: make([]byte, 0, 1<<20)}
	w.vals = make([][]parquet.Value, len(cols))
	for i := range w.vals {
		w.vals[i] = make([]parquet.Value, 0, batchRows)
	}
	return w, nil
}

func cloneLayout(l encoding.Layout) encoding.Layout {
	l.Fields = append([]encoding.FieldSpec(nil), l.Fields...)
	l.BlockKeys = append([]string(nil), l.BlockKeys...)
	l.Attrs = append([]string(nil), l.Attrs...)
	return l
}

// Rows is the number of records written so far.
func (w *Writer) Rows() int { return w.rows }

// Write appends a copy of rec. A record that does not fit the layout is an
// error (a bug in the caller, not bad input) and nothing is written for it.
func (w *Writer) Write(rec *encoding.Record) error {
	if err := w.check(rec); err != nil {
		return fmt.Errorf("encoded file %s: record %d: %w", w.f.Path(), w.rows+1, err)
	}
	if need := w.rowBytes(rec); w.batch > 0 && len(w.buf)+need > cap(w.buf) {
		if err := w.flushBatch(); err != nil {
			return err
		}
	}
	for ci, c := range w.cols {
		v, def := w.value(c, rec), 0
		if c.kind >= kindField && !v.IsNull() {
			def = 1 // an optional column's value is present
		}
		w.vals[ci] = append(w.vals[ci], v.Level(0, def, ci))
	}
	w.batch++
	w.rows++
	if w.batch == batchRows || w.rows%rowGroupRows == 0 {
		return w.flushBatch()
	}
	return nil
}

func (w *Writer) check(rec *encoding.Record) error {
	l := &w.layout
	if len(rec.CLK) != bitvec.WordsFor(l.CLKBits) {
		return fmt.Errorf("CLK has %d words, the layout wants %d", len(rec.CLK), bitvec.WordsFor(l.CLKBits))
	}
	if err := tailZero(rec.CLK, l.CLKBits); err != nil {
		return fmt.Errorf("CLK: %w", err)
	}
	if len(rec.Fields) != len(l.Fields) || (rec.BlockKeys != nil && len(rec.BlockKeys) != len(l.BlockKeys)) ||
		(rec.Attrs != nil && len(rec.Attrs) != len(l.Attrs)) {
		return fmt.Errorf("record has %d fields, %d block keys, %d attributes; the layout has %d, %d, %d",
			len(rec.Fields), len(rec.BlockKeys), len(rec.Attrs), len(l.Fields), len(l.BlockKeys), len(l.Attrs))
	}
	for i, f := range rec.Fields {
		if f == nil {
			continue
		}
		if len(f) != bitvec.WordsFor(l.Fields[i].Bits) {
			return fmt.Errorf("field %q has %d words, the layout wants %d", l.Fields[i].Name, len(f), bitvec.WordsFor(l.Fields[i].Bits))
		}
		if err := tailZero(f, l.Fields[i].Bits); err != nil {
			return fmt.Errorf("field %q: %w", l.Fields[i].Name, err)
		}
	}
	return nil
}

// tailZero checks that no bit at or beyond bits is set: those bits are not
// stored.
func tailZero(v []uint64, bits int) error {
	if r := bits % 64; r != 0 && v[len(v)-1]>>uint(r) != 0 {
		return fmt.Errorf("bits set beyond the filter size %d", bits)
	}
	return nil
}

func (w *Writer) rowBytes(rec *encoding.Record) int {
	n := len(w.partner) + len(rec.RecordID) + 8*len(rec.CLK)
	for _, f := range rec.Fields {
		n += 8 * len(f)
	}
	for _, s := range rec.BlockKeys {
		n += len(s)
	}
	for _, s := range rec.Attrs {
		n += len(s)
	}
	return n
}

// keep copies b into the batch buffer.
func keep[T string | []byte](w *Writer, b T) []byte {
	start := len(w.buf)
	w.buf = append(w.buf, b...)
	return w.buf[start:len(w.buf):len(w.buf)]
}

func (w *Writer) filter(v []uint64, n int) []byte {
	if cap(w.word) < 8*len(v) {
		w.word = make([]byte, 8*len(v))
	}
	return keep(w, bitvec.PutBytes(w.word[:8*len(v)], v)[:n])
}

func (w *Writer) value(c column, rec *encoding.Record) parquet.Value {
	switch c.kind {
	case kindPartner:
		return parquet.ByteArrayValue(keep(w, w.partner))
	case kindRecordID:
		return parquet.ByteArrayValue(keep(w, rec.RecordID))
	case kindCLK:
		return parquet.FixedLenByteArrayValue(w.filter(rec.CLK, c.bytes))
	case kindField:
		if f := rec.Fields[c.index]; f != nil {
			return parquet.FixedLenByteArrayValue(w.filter(f, c.bytes))
		}
	case kindBlock:
		if s := optional(rec.BlockKeys, c.index); s != "" {
			return parquet.ByteArrayValue(keep(w, s))
		}
	case kindAttr:
		if s := optional(rec.Attrs, c.index); s != "" {
			return parquet.ByteArrayValue(keep(w, s))
		}
	}
	return parquet.NullValue()
}

func optional(s []string, i int) string {
	if s == nil {
		return ""
	}
	return s[i]
}

// flushBatch hands the batch to the Parquet writer column by column (much
// cheaper than row by row) and closes the row group every RowGroupRows rows.
func (w *Writer) flushBatch() error {
	if w.batch == 0 {
		return nil
	}
	for ci, cw := range w.pw.ColumnWriters() {
		if _, err := cw.WriteRowValues(w.vals[ci]); err != nil {
			return fmt.Errorf("writing %s: %w", w.f.Path(), err)
		}
		clear(w.vals[ci]) // drop references into buf
		w.vals[ci] = w.vals[ci][:0]
	}
	w.batch, w.buf = 0, w.buf[:0]
	if w.rows%rowGroupRows == 0 {
		if err := w.pw.Flush(); err != nil {
			return fmt.Errorf("writing %s: %w", w.f.Path(), err)
		}
	}
	return nil
}

// Commit writes the metadata and the footer and moves the file to its final
// path. meta.Partner, when set, must match the writer's partner; meta.Rows,
// when set, must match the number of records written; FormatVersion and
// Created are filled in when zero.
func (w *Writer) Commit(meta encoding.Meta) error {
	defer w.f.Abort()
	if meta.Partner == "" {
		meta.Partner = w.partner
	}
	switch {
	case meta.Partner != w.partner:
		return base.Usagef("encoded file %s: metadata partner %q differs from the writer's %q", w.f.Path(), meta.Partner, w.partner)
	case meta.Rows != 0 && meta.Rows != w.rows:
		return base.Usagef("encoded file %s: metadata says %d rows, %d were written", w.f.Path(), meta.Rows, w.rows)
	case meta.FormatVersion != 0 && meta.FormatVersion != encoding.FormatVersion:
		return base.Usagef("encoded file %s: cannot write format version %d", w.f.Path(), meta.FormatVersion)
	}
	meta.Rows, meta.FormatVersion = w.rows, encoding.FormatVersion
	if meta.Created.IsZero() {
		meta.Created = time.Now()
	}
	if err := w.flushBatch(); err != nil {
		return err
	}
	for _, kv := range metaPairs(meta) {
		w.pw.SetKeyValueMetadata(kv[0], kv[1])
	}
	if err := w.pw.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", w.f.Path(), err)
	}
	return w.f.Commit()
}

// Abort discards the file; it is a no-op after Commit.
func (w *Writer) Abort() { w.f.Abort() }

func metaPairs(m encoding.Meta) [][2]string {
	return [][2]string{
		{KeyFormatVersion, strconv.Itoa(m.FormatVersion)},
		{KeySchemaFingerprint, m.SchemaFingerprint},
		{KeyKeyCheck, m.KeyCheck},
		{KeyPartner, m.Partner},
		{KeyRows, strconv.Itoa(m.Rows)},
		{KeyRejected, strconv.Itoa(m.Rejected)},
		{KeyCreated, m.Created.UTC().Format(time.RFC3339)},
		{KeyCodeVersion, m.CodeVersion},
		{KeyPseudonymised, strconv.FormatBool(m.Pseudonymised)},
		{KeySchema, string(m.Schema)},
	}
}
