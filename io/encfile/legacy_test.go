package encfile

import (
	"fmt"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/io/table"
	"github.com/welfare-district/swd/linkage/encoding"
)

// batchRows is the number of rows the legacy writer hands to parquet-go at
// a time.
const batchRows = 1024

// legacyWriter is the writer of swd before 2026-11-23 (parquet-go's
// generic writer, one parquet.Value per cell), kept to write files as
// older versions did and check that they still read.
type legacyWriter struct {
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

// legacyCreate starts an encoded file at path for records of the given layout,
// encoded by partner. Nothing appears at path before Commit.
func legacyCreate(path string, layout encoding.Layout, partner string) (*legacyWriter, error) {
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
	w := &legacyWriter{f: f, pw: pw, cols: cols, layout: layout, partner: partner, buf: make([]byte, 0, 1<<20)}
	w.vals = make([][]parquet.Value, len(cols))
	for i := range w.vals {
		w.vals[i] = make([]parquet.Value, 0, batchRows)
	}
	return w, nil
}

// Write appends a copy of rec (assumed to fit the layout).
func (w *legacyWriter) Write(rec *encoding.Record) error {
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

func (w *legacyWriter) rowBytes(rec *encoding.Record) int {
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
func legacyKeep[T string | []byte](w *legacyWriter, b T) []byte {
	start := len(w.buf)
	w.buf = append(w.buf, b...)
	return w.buf[start:len(w.buf):len(w.buf)]
}

func (w *legacyWriter) filter(v []uint64, n int) []byte {
	if cap(w.word) < 8*len(v) {
		w.word = make([]byte, 8*len(v))
	}
	return legacyKeep(w, bitvec.PutBytes(w.word[:8*len(v)], v)[:n])
}

func (w *legacyWriter) value(c column, rec *encoding.Record) parquet.Value {
	switch c.kind {
	case kindPartner:
		return parquet.ByteArrayValue(legacyKeep(w, w.partner))
	case kindRecordID:
		return parquet.ByteArrayValue(legacyKeep(w, rec.RecordID))
	case kindCLK:
		return parquet.FixedLenByteArrayValue(w.filter(rec.CLK, c.bytes))
	case kindField:
		if f := rec.Fields[c.index]; f != nil {
			return parquet.FixedLenByteArrayValue(w.filter(f, c.bytes))
		}
	case kindBlock:
		if s := optional(rec.BlockKeys, c.index); s != "" {
			return parquet.ByteArrayValue(legacyKeep(w, s))
		}
	case kindAttr:
		if s := optional(rec.Attrs, c.index); s != "" {
			return parquet.ByteArrayValue(legacyKeep(w, s))
		}
	}
	return parquet.NullValue()
}

// flushBatch hands the batch to the Parquet writer column by column (much
// cheaper than row by row) and closes the row group every RowGroupRows rows.
func (w *legacyWriter) flushBatch() error {
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
// path, checking the metadata as Writer.Commit does.
func (w *legacyWriter) Commit(meta encoding.Meta) error {
	defer w.f.Abort()
	meta, err := commitMeta(w.f.Path(), w.partner, w.rows, meta)
	if err != nil {
		return err
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

// schemaOf is the Parquet schema of a layout.
func schemaOf(cols []column) (*parquet.Schema, error) {
	names := make([]string, len(cols))
	nodes := make([]parquet.Node, len(cols))
	for i, c := range cols {
		names[i] = c.name
		switch c.kind {
		case kindPartner, kindRecordID:
			nodes[i] = parquet.String()
		case kindCLK:
			nodes[i] = filterLeaf(c.bytes)
		case kindField:
			nodes[i] = parquet.Optional(filterLeaf(c.bytes))
		default:
			nodes[i] = parquet.Optional(parquet.String())
		}
	}
	g, err := table.NewOrderedGroup(names, nodes)
	if err != nil {
		return nil, err
	}
	return parquet.NewSchema("swd_encoded", g), nil
}

// filterLeaf is the node of a filter column. Filters are keyed bit
// vectors, sparse enough to compress somewhat but not worth zstd's CPU
// time: Snappy in s2's fastest mode (fastSnappy). Measured with swd encode
// on a 129,083-row synth export: zstd on the filters cost ~8% of the run's
// CPU time; files are 6.5% bigger than with zstd everywhere (NC voters:
// 0.1%), where no compression made them 12–27% bigger. The other columns
// use the writer's default, zstd. Readers take the codec from each column
// chunk, so files written before (zstd everywhere) read alike.
func filterLeaf(bytes int) parquet.Node {
	return parquet.Compressed(parquet.Leaf(parquet.FixedLenByteArrayType(bytes)), legacyFilterCodec)
}

// legacyFilterCodec is the codec of the legacy writer's filter columns;
// tests set it to zstd to write files as versions before 2026-11-20 did.
var legacyFilterCodec compress.Codec = fastSnappy{}

// legacyWriteFile writes recs with the legacy writer, filter columns
// compressed with filterCodec.
func legacyWriteFile(t testing.TB, path string, l encoding.Layout, recs []encoding.Record, filterCodec compress.Codec) {
	t.Helper()
	defer func(c compress.Codec) { legacyFilterCodec = c }(legacyFilterCodec)
	legacyFilterCodec = filterCodec
	w, err := legacyCreate(path, l, "caritas")
	if err != nil {
		t.Fatal(err)
	}
	defer w.f.Abort()
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(testMeta()); err != nil {
		t.Fatal(err)
	}
}
