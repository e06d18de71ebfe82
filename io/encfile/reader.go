package encfile

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"unsafe"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

// file is an open encoded file whose footer has been checked.
type file struct {
	path   string
	f      io.Closer
	pf     *parquet.File
	meta   encoding.Meta
	layout encoding.Layout
	cols   []column // in file order

	fieldBuf [][]uint64 // Scan's per-field filters
}

// invalid formats an input error about path. Its arguments must hold no
// input bytes: pass errors of the Parquet decoder through withDetail.
func invalid(path, format string, args ...any) error {
	return base.Invalidf("%s: %s", path, fmt.Sprintf(format, args...))
}

// withDetail appends to reason what base.SafeDetail keeps of err: the
// decoder's own messages quote the bytes they read.
func withDetail(reason string, err error) string {
	if d := base.SafeDetail(err); d != "" {
		return reason + ": " + d
	}
	return reason
}

// detail is what base.SafeDetail keeps of err, or a general description.
func detail(err error) string {
	if d := base.SafeDetail(err); d != "" {
		return d
	}
	return "corrupt or truncated data"
}

// recoverCorrupt, deferred, turns a panic of the Parquet decoder on a
// corrupt file into an input error (without the panic's value).
func recoverCorrupt(path string, errp *error) {
	if p := recover(); p != nil {
		reason := "corrupt Parquet file (decoder failure)"
		if d := base.PanicDetail(p); d != "" {
			reason += ": " + d
		}
		*errp = invalid(path, "%s", reason)
	}
}

// errPartner is a row whose partner column is not the file's partner.
var errPartner = base.Safef("partner differs from the file's metadata")

// open reads and checks the footer: metadata, format version and columns.
func open(path string) (_ *file, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, base.Mark(err, base.ErrInvalidInput)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return openAt(path, f, st.Size(), f)
}

// openAt is open on the size bytes of r, named path in errors; c is closed
// on error, else with the file.
func openAt(path string, r io.ReaderAt, size int64, c io.Closer) (_ *file, err error) {
	defer func() {
		if err != nil {
			_ = c.Close()
		}
	}()
	defer recoverCorrupt(path, &err)
	pf, err := parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, invalid(path, "%s", withDetail("not an swd encoded file: not a valid Parquet file (truncated or corrupt?)", err))
	}
	ef := &file{path: path, f: c, pf: pf}
	if ef.meta, err = parseMeta(pf); err != nil {
		return nil, invalid(path, "%v", err)
	}
	if ef.cols, ef.layout, err = layoutOf(pf.Schema()); err != nil {
		return nil, invalid(path, "not an swd encoded file: %v", err)
	}
	if int64(ef.meta.Rows) != pf.NumRows() {
		return nil, invalid(path, "metadata says %d rows, the file holds %d", ef.meta.Rows, pf.NumRows())
	}
	return ef, nil
}

// layoutOf checks the columns of a file and derives its layout. Columns
// with other names are ignored (see the versioning policy in
// docs/format.md).
func layoutOf(s *parquet.Schema) ([]column, encoding.Layout, error) {
	var l encoding.Layout
	var cols []column
	seen := map[kind]bool{}
	for _, fld := range s.Fields() {
		name := fld.Name()
		c := column{name: name, kind: -1}
		switch {
		case name == ColPartner:
			c.kind = kindPartner
		case name == ColRecordID:
			c.kind = kindRecordID
		case name == ColCLK:
			c.kind = kindCLK
		case strings.HasPrefix(name, PrefixField):
			c.kind, c.index = kindField, len(l.Fields)
		case strings.HasPrefix(name, PrefixBlock):
			c.kind, c.index = kindBlock, len(l.BlockKeys)
			l.BlockKeys = append(l.BlockKeys, strings.TrimPrefix(name, PrefixBlock))
		case strings.HasPrefix(name, PrefixAttr):
			c.kind, c.index = kindAttr, len(l.Attrs)
			l.Attrs = append(l.Attrs, strings.TrimPrefix(name, PrefixAttr))
		}
		if c.kind < 0 {
			cols = append(cols, c)
			continue
		}
		if !fld.Leaf() || fld.Repeated() {
			return nil, l, fmt.Errorf("column %s is not a flat column", name)
		}
		kindOK := fld.Type().Kind() == parquet.ByteArray
		switch c.kind {
		case kindCLK, kindField:
			kindOK = fld.Type().Kind() == parquet.FixedLenByteArray
			c.bytes = fld.Type().Length()
			c.words = bitvec.WordsFor(8 * c.bytes)
			if c.bytes <= 0 {
				kindOK = false
			}
		}
		if !kindOK {
			return nil, l, fmt.Errorf("column %s has type %s", name, fld.Type())
		}
		if optional := c.kind >= kindField; fld.Optional() != optional {
			return nil, l, fmt.Errorf("column %s: wrong repetition (optional=%t)", name, fld.Optional())
		}
		switch c.kind {
		case kindCLK:
			l.CLKBits = 8 * c.bytes
		case kindField:
			l.Fields = append(l.Fields, encoding.FieldSpec{Name: strings.TrimPrefix(name, PrefixField), Bits: 8 * c.bytes})
		}
		if c.kind <= kindCLK {
			seen[c.kind] = true
		}
		cols = append(cols, c)
	}
	for k, name := range []string{ColPartner, ColRecordID, ColCLK} {
		if !seen[kind(k)] {
			return nil, l, fmt.Errorf("column %s missing", name)
		}
	}
	return cols, l, nil
}

// ReadMeta returns the metadata and layout of an encoded file, reading only
// its footer.
func ReadMeta(path string) (encoding.Meta, encoding.Layout, error) {
	r, err := open(path)
	if err != nil {
		return encoding.Meta{}, encoding.Layout{}, err
	}
	defer r.f.Close()
	return r.meta, r.layout, nil
}

// Read loads a whole encoded file into memory in columnar form.
func Read(ctx context.Context, path string) (*encoding.Dataset, error) {
	r, err := open(path)
	if err != nil {
		return nil, err
	}
	return r.readAll(ctx)
}

// ReadBytes is Read on the bytes of an encoded file already in memory (a
// caller that keeps them, to store the file as it is); name names it in
// errors. whole reports whether the file holds only columns that Read
// decodes (none that a later version of the format added and Read
// ignores): only then do the bytes hold nothing but the dataset.
func ReadBytes(ctx context.Context, name string, data []byte) (d *encoding.Dataset, whole bool, err error) {
	r, err := openAt(name, bytes.NewReader(data), int64(len(data)), io.NopCloser(nil))
	if err != nil {
		return nil, false, err
	}
	whole = true
	for _, c := range r.cols {
		whole = whole && c.kind >= 0
	}
	d, err = r.readAll(ctx)
	return d, whole, err
}

// readAll reads every row group of r, then closes it.
func (r *file) readAll(ctx context.Context) (_ *encoding.Dataset, err error) {
	defer r.f.Close()
	defer recoverCorrupt(r.path, &err)
	d := newDataset(r, r.pf.NumRows())
	vals := make([]parquet.Value, 4096)
	pad := make([]byte, 0, 64)
	for g := range r.pf.RowGroups() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := r.readGroup(d, g, vals, pad); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// readGroup appends row group g to d.
func (r *file) readGroup(d *encoding.Dataset, g int, vals []parquet.Value, pad []byte) error {
	rg := r.pf.RowGroups()[g]
	for ci, chunk := range rg.ColumnChunks() {
		c := r.cols[ci]
		if c.kind < 0 {
			continue
		}
		n, err := readChunk(d, c, r.meta.Partner, chunk, vals, pad)
		if err != nil {
			return invalid(r.path, "row group %d, column %s: %s", g+1, c.name, detail(err))
		}
		if n != rg.NumRows() {
			return invalid(r.path, "row group %d, column %s: %d values for %d rows", g+1, c.name, n, rg.NumRows())
		}
	}
	return nil
}

// RowGroups returns the number of rows of each row group of an encoded file
// (its footer checked as by ReadMeta). Row groups are the unit a
// distributed reader splits a file into (ReadRowGroup).
func RowGroups(path string) ([]int64, error) {
	r, err := open(path)
	if err != nil {
		return nil, err
	}
	defer r.f.Close()
	var rows []int64
	for _, rg := range r.pf.RowGroups() {
		rows = append(rows, rg.NumRows())
	}
	return rows, nil
}

// ReadRowGroup loads row group g (from 0) of an encoded file: a Dataset
// holding only that group's rows, in file order, with the file's metadata.
// Reading every group and concatenating them gives what Read gives.
func ReadRowGroup(ctx context.Context, path string, g int) (_ *encoding.Dataset, err error) {
	r, err := open(path)
	if err != nil {
		return nil, err
	}
	defer r.f.Close()
	defer recoverCorrupt(path, &err)
	if g < 0 || g >= len(r.pf.RowGroups()) {
		return nil, base.Usagef("%s: no row group %d (the file has %d)", path, g, len(r.pf.RowGroups()))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := newDataset(r, r.pf.RowGroups()[g].NumRows())
	if err := r.readGroup(d, g, make([]parquet.Value, 4096), make([]byte, 0, 64)); err != nil {
		return nil, err
	}
	return d, nil
}

// Preallocation: a dataset's columns are allocated once, for the rows the
// footer announces, so that a large file is not read into arrays grown by
// append (at 10 M records that left 0.7 GB of the 8.1 GB of encodings
// unused: a file of 2.09 M rows ended in room for 2.56 M). So that a
// corrupt footer claiming billions of rows cannot exhaust memory up front,
// beyond maxPrealloc rows the rows preallocated are those whose filters
// take at most preallocPerByte bytes for each byte of the file: a real
// file holds its filters nearly as they are (Bloom filters are dense random
// bits; the synth schema's files hold 457 bytes a row for 472 bytes of
// filters), so its rows are all preallocated, while a lying footer gets no
// more than a few times the file's size. Rows beyond the preallocation are
// appended as before.
const (
	maxPrealloc     = 1 << 20
	preallocPerByte = 4
)

// preallocRows is the number of rows to preallocate for rows announced
// rows in a file of size bytes with layout l.
func preallocRows(rows, size int64, l encoding.Layout) int {
	perRow := int64(l.CLKBits / 8)
	for _, f := range l.Fields {
		perRow += int64(f.Bits / 8)
	}
	bound := int64(maxPrealloc)
	if perRow > 0 {
		bound = max(bound, preallocPerByte*size/perRow)
	}
	return int(max(0, min(rows, bound)))
}

// newDataset is an empty dataset of r's layout with room for rows rows
// (see preallocRows).
func newDataset(r *file, rows int64) *encoding.Dataset {
	n := preallocRows(rows, r.pf.Size(), r.layout)
	d := &encoding.Dataset{Meta: r.meta, RecordIDs: make([]string, 0, n)}
	d.CLK = bitvec.Arena{Words: bitvec.WordsFor(r.layout.CLKBits), Data: make([]uint64, 0, n*bitvec.WordsFor(r.layout.CLKBits))}
	for _, f := range r.layout.Fields {
		w := bitvec.WordsFor(f.Bits)
		d.Fields = append(d.Fields, encoding.FieldColumn{FieldSpec: f,
			Filters: bitvec.Arena{Words: w, Data: make([]uint64, 0, n*w)}, Present: make([]bool, 0, n)})
	}
	for _, name := range r.layout.BlockKeys {
		d.BlockKeys = append(d.BlockKeys, encoding.StringColumn{Name: name, Values: make([]string, 0, n)})
	}
	for _, name := range r.layout.Attrs {
		d.Attrs = append(d.Attrs, encoding.StringColumn{Name: name, Values: make([]string, 0, n)})
	}
	return d
}

// readChunk appends the values of one column chunk to d and returns how
// many it read.
func readChunk(d *encoding.Dataset, c column, partner string, chunk parquet.ColumnChunk, vals []parquet.Value, pad []byte) (int64, error) {
	pages := chunk.Pages()
	defer pages.Close()
	var n int64
	for {
		page, err := pages.ReadPage()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		vr := page.Values()
		for {
			k, err := vr.ReadValues(vals)
			if dst := stringColumn(d, c); dst != nil {
				*dst = appendStrings(*dst, vals[:k])
			} else {
				for _, v := range vals[:k] {
					if err := appendValue(d, c, partner, v, pad); err != nil {
						parquet.Release(page)
						return n, err
					}
				}
			}
			n += int64(k)
			if err == io.EOF {
				break
			}
			if err != nil {
				parquet.Release(page)
				return n, err
			}
		}
		parquet.Release(page)
	}
}

// stringColumn returns the string column of d that column c fills, or nil.
func stringColumn(d *encoding.Dataset, c column) *[]string {
	switch c.kind {
	case kindRecordID:
		return &d.RecordIDs
	case kindBlock:
		return &d.BlockKeys[c.index].Values
	case kindAttr:
		return &d.Attrs[c.index].Values
	}
	return nil
}

// appendStrings appends the values (null as "") to dst, allocating one
// string for all of them rather than one per value.
func appendStrings(dst []string, vals []parquet.Value) []string {
	size := 0
	for _, v := range vals {
		size += len(v.ByteArray())
	}
	buf := make([]byte, 0, size)
	for _, v := range vals {
		buf = append(buf, v.ByteArray()...)
	}
	if size == 0 {
		for range vals {
			dst = append(dst, "")
		}
		return dst
	}
	// buf is never written again, so it can back the string directly (as
	// strings.Builder does).
	all := unsafe.String(&buf[0], len(buf))
	off := 0
	for _, v := range vals {
		n := len(v.ByteArray())
		dst = append(dst, all[off:off+n])
		off += n
	}
	return dst
}

func appendValue(d *encoding.Dataset, c column, partner string, v parquet.Value, pad []byte) error {
	switch c.kind {
	case kindPartner:
		if string(v.ByteArray()) != partner {
			return errPartner
		}
	case kindCLK:
		if v.IsNull() {
			return base.Safef("null CLK")
		}
		d.CLK.AppendBytes(padded(pad, v.ByteArray(), c.words))
	case kindField:
		fc := &d.Fields[c.index]
		if v.IsNull() {
			fc.Filters.Data = append(fc.Filters.Data, make([]uint64, c.words)...)
		} else {
			fc.Filters.AppendBytes(padded(pad, v.ByteArray(), c.words))
		}
		fc.Present = append(fc.Present, !v.IsNull())
	}
	return nil
}

// padded returns b extended with zero bytes to whole 64-bit words.
func padded(scratch, b []byte, words int) []byte {
	if len(b) == 8*words {
		return b
	}
	scratch = append(scratch[:0], b...)
	for len(scratch) < 8*words {
		scratch = append(scratch, 0)
	}
	return scratch
}
