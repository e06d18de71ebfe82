package encfile

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

// rowGroupRows is RowGroupRows, lowered by tests.
var rowGroupRows = RowGroupRows

// Writer writes an encoded file. It is not safe for concurrent use.
type Writer struct {
	f       *atomicfile.File
	cols    []column
	layout  encoding.Layout
	partner string
	rows    int
	err     error // the first write error, or errClosed after Commit or Abort; every later call returns it

	chunks                 []*chunk // in file order
	partnerCol, idCol, clk *chunk
	fields, blocks, attrs  []*chunk
	enc                    *pageEncoder
	off                    int64 // bytes written to f
	groups                 []format.RowGroup
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
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return nil, err
	}
	w := &Writer{f: f, cols: cols, layout: cloneLayout(layout), partner: partner, enc: newPageEncoder()}
	for _, c := range cols {
		ch := newChunk(c)
		w.chunks = append(w.chunks, ch)
		switch c.kind {
		case kindPartner:
			w.partnerCol = ch
		case kindRecordID:
			w.idCol = ch
		case kindCLK:
			w.clk = ch
		case kindField:
			w.fields = append(w.fields, ch)
		case kindBlock:
			w.blocks = append(w.blocks, ch)
		case kindAttr:
			w.attrs = append(w.attrs, ch)
		}
	}
	if err := w.write([]byte(magic)); err != nil {
		f.Abort()
		return nil, err
	}
	return w, nil
}

// magic starts and ends a Parquet file.
const magic = "PAR1"

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
// A failed write to the file is final: Write and Commit return it from then
// on, and Commit discards the file.
func (w *Writer) Write(rec *encoding.Record) error {
	if w.err != nil {
		return w.err
	}
	if err := w.check(rec); err != nil {
		return fmt.Errorf("encoded file %s: record %d: %w", w.f.Path(), w.rows+1, err)
	}
	w.partnerCol.appendString(w.partner)
	w.idCol.appendString(rec.RecordID)
	w.clk.appendFilter(rec.CLK)
	for i, ch := range w.fields {
		if f := rec.Fields[i]; f != nil {
			ch.appendFilter(f)
		} else {
			ch.appendNull()
		}
	}
	for i, ch := range w.blocks {
		if s := optional(rec.BlockKeys, i); s != "" {
			ch.appendString(s)
		} else {
			ch.appendNull()
		}
	}
	for i, ch := range w.attrs {
		if s := optional(rec.Attrs, i); s != "" {
			ch.appendString(s)
		} else {
			ch.appendNull()
		}
	}
	w.rows++
	for _, ch := range w.chunks {
		if ch.full() {
			if err := ch.closePage(w.enc); err != nil {
				return w.fail(err)
			}
		}
	}
	if w.rows%rowGroupRows == 0 {
		return w.flushGroup()
	}
	return nil
}

func (w *Writer) fail(err error) error {
	w.err = fmt.Errorf("writing %s: %w", w.f.Path(), err)
	return w.err
}

func (w *Writer) write(b []byte) error {
	n, err := w.f.Write(b)
	w.off += int64(n)
	if err != nil {
		return w.fail(err)
	}
	return nil
}

// flushGroup closes the open pages and writes the row group's column
// chunks, one after the other.
func (w *Writer) flushGroup() error {
	n := int64(w.rows - rowGroupRows*len(w.groups))
	if n == 0 {
		return nil
	}
	rg := format.RowGroup{NumRows: n, FileOffset: w.off, Ordinal: int16(len(w.groups))}
	for _, ch := range w.chunks {
		if err := ch.closePage(w.enc); err != nil {
			return w.fail(err)
		}
		off := w.off
		for _, p := range ch.pages[:ch.numPages] {
			if err := w.write(p); err != nil {
				return err
			}
		}
		cc := ch.meta(off)
		rg.Columns = append(rg.Columns, cc)
		rg.TotalByteSize += cc.MetaData.TotalUncompressedSize
		rg.TotalCompressedSize += cc.MetaData.TotalCompressedSize
	}
	w.groups = append(w.groups, rg)
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

func optional(s []string, i int) string {
	if s == nil {
		return ""
	}
	return s[i]
}

// Commit writes the metadata and the footer and moves the file to its final
// path. meta.Partner, when set, must match the writer's partner; meta.Rows,
// when set, must match the number of records written; FormatVersion and
// Created are filled in when zero.
func (w *Writer) Commit(meta encoding.Meta) error {
	defer w.Abort()
	meta, err := commitMeta(w.f.Path(), w.partner, w.rows, meta)
	if err != nil {
		return err
	}
	return w.finish(metaPairs(meta), meta.CodeVersion)
}

// commitMeta checks the metadata a file of path is committed with against
// what its writer wrote (partner's rows records) and fills in the rest, as
// Commit documents.
func commitMeta(path, partner string, rows int, meta encoding.Meta) (encoding.Meta, error) {
	if meta.Partner == "" {
		meta.Partner = partner
	}
	switch {
	case meta.Partner != partner:
		return meta, base.Usagef("encoded file %s: metadata partner %q differs from the writer's %q", path, meta.Partner, partner)
	case meta.Rows != 0 && meta.Rows != rows:
		return meta, base.Usagef("encoded file %s: metadata says %d rows, %d were written", path, meta.Rows, rows)
	case meta.FormatVersion != 0 && meta.FormatVersion != encoding.FormatVersion:
		return meta, base.Usagef("encoded file %s: cannot write format version %d", path, meta.FormatVersion)
	}
	meta.Rows, meta.FormatVersion = rows, encoding.FormatVersion
	if meta.Created.IsZero() {
		meta.Created = time.Now()
	}
	return meta, nil
}

// finish writes the last row group and the footer with the given key-value
// metadata, and commits the file.
func (w *Writer) finish(kv [][2]string, version string) error {
	defer w.Abort()
	if w.err != nil {
		return w.err
	}
	if err := w.flushGroup(); err != nil {
		return err
	}
	fm := format.FileMetaData{
		Version:   2, // as parquet-go and Arrow write: the format since 2.0
		Schema:    schemaElements(w.cols),
		NumRows:   int64(w.rows),
		RowGroups: w.groups,
		CreatedBy: "swd version " + cmp.Or(strings.TrimPrefix(version, "swd "), "unknown"),
	}
	for _, p := range kv {
		fm.KeyValueMetadata = append(fm.KeyValueMetadata, format.KeyValue{Key: p[0], Value: p[1]})
	}
	slices.SortFunc(fm.KeyValueMetadata, func(a, b format.KeyValue) int { return strings.Compare(a.Key, b.Key) })
	for range w.cols {
		fm.ColumnOrders = append(fm.ColumnOrders, format.ColumnOrder{Value: &format.TypeDefinedOrder{}})
	}
	footer, err := thrift.Marshal(new(thrift.CompactProtocol), &fm)
	if err != nil {
		return w.fail(err)
	}
	footer = binary.LittleEndian.AppendUint32(footer, uint32(len(footer)))
	if err := w.write(append(footer, magic...)); err != nil {
		return err
	}
	return w.f.Commit()
}

// Abort discards the file; it is a no-op after Commit.
func (w *Writer) Abort() {
	w.f.Abort()
	if w.err == nil {
		w.err = fmt.Errorf("encoded file %s: %w", w.f.Path(), errClosed)
	}
	for _, ch := range w.chunks {
		ch.release()
	}
	w.chunks, w.fields, w.blocks, w.attrs = nil, nil, nil, nil
}

// errClosed is the error of writing after Commit or Abort.
var errClosed = errors.New("writer already committed or aborted")

func metaPairs(m encoding.Meta) [][2]string {
	pairs := [][2]string{
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
	if len(m.PseudonymisedAttrs) > 0 {
		pairs = append(pairs, [2]string{KeyPseudonymisedAttrs, strings.Join(m.PseudonymisedAttrs, ",")})
	}
	return pairs
}
