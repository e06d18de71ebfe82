package table

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/base"
)

// parquetBatch is the number of rows read from a row group at a time: memory
// stays flat in the number of rows.
const parquetBatch = 256

type parquetReader struct {
	path   string
	f      *os.File
	pf     *parquet.File
	header []string
	conv   []cellFunc
	cs     charset

	rg    int // next row group
	rows  parquet.Rows
	buf   []parquet.Row
	n, i  int // rows in the batch, next row
	row   int
	err   error
	text  []byte   // the batch's cells, back to back
	spans [][2]int // start and end in text of each cell of the batch; start -1: null
	cells []string // the batch's cells, row after row
	bad   []int    // per row of the batch: column that is not valid text, or -1
}

// cellFunc appends the text of a non-null value to dst; ok is false for
// bytes that are not valid UTF-8.
type cellFunc func(dst []byte, v parquet.Value) (out []byte, ok bool)

func openParquet(path string, f *os.File, cs charset) (_ Reader, err error) {
	defer func() { recovered(path, recover(), &err) }()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if st.Size() == 0 {
		return nil, invalidFile(path, "empty file", nil)
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, invalidFile(path, "not a valid Parquet file (truncated or corrupt?)", err)
	}
	r := &parquetReader{path: path, f: f, pf: pf, cs: cs}
	for _, fld := range pf.Schema().Fields() {
		if !fld.Leaf() || fld.Repeated() {
			return nil, &base.InputError{File: path, Column: fld.Name(), Reason: "nested or repeated column; only flat tables can be read"}
		}
		r.header = append(r.header, fld.Name())
		r.conv = append(r.conv, r.converter(fld.Type()))
	}
	if err := checkHeader(path, r.header); err != nil {
		return nil, err
	}
	r.buf = make([]parquet.Row, parquetBatch)
	return r, nil
}

func (r *parquetReader) Header() []string { return r.header }

func (r *parquetReader) Next() (row []string, rowNum int, err error) {
	if r.err != nil {
		return nil, 0, r.err
	}
	defer func() { settle(r.path, recover(), &err, &r.err) }()
	for r.i == r.n {
		if err := r.fill(); err != nil {
			return nil, 0, err
		}
	}
	i := r.i
	r.i++
	r.row++
	if c := r.bad[i]; c >= 0 {
		return nil, r.row, &base.InputError{File: r.path, Row: r.row, Column: r.header[c], Reason: latin1Hint}
	}
	w := len(r.header)
	return r.cells[i*w : (i+1)*w : (i+1)*w], r.row, nil
}

// fill reads the next batch of rows, moving to the next row group as needed,
// and renders all its cells into one string (one allocation per batch, not
// per cell).
func (r *parquetReader) fill() error {
	if r.rows == nil {
		groups := r.pf.RowGroups()
		if r.rg == len(groups) {
			return io.EOF
		}
		r.rows = groups[r.rg].Rows()
		r.rg++
	}
	n, err := r.rows.ReadRows(r.buf)
	if err != nil && !errors.Is(err, io.EOF) {
		return invalidFile(r.path, fmt.Sprintf("reading row group %d (truncated or corrupt?)", r.rg), err)
	}
	if errors.Is(err, io.EOF) {
		_ = r.rows.Close()
		r.rows = nil
	}
	if err := r.render(r.buf[:n]); err != nil {
		return err
	}
	r.n, r.i = n, 0
	return nil
}

func (r *parquetReader) render(rows []parquet.Row) error {
	w := len(r.header)
	r.text, r.spans, r.bad = r.text[:0], r.spans[:0], r.bad[:0]
	for _, vals := range rows {
		bad := -1
		first := len(r.spans)
		for range w {
			r.spans = append(r.spans, [2]int{-1, -1})
		}
		for _, v := range vals {
			c := v.Column()
			if c < 0 || c >= w {
				return invalidFile(r.path, "corrupt file", base.Safef("value for column %d of %d", c, w))
			}
			if v.IsNull() {
				continue
			}
			start := len(r.text)
			var ok bool
			if r.text, ok = r.conv[c](r.text, v); !ok && bad < 0 {
				bad = c
			}
			r.spans[first+c] = [2]int{start, len(r.text)}
		}
		r.bad = append(r.bad, bad)
	}
	all := string(r.text)
	r.cells = r.cells[:0]
	for _, sp := range r.spans {
		if sp[0] < 0 {
			r.cells = append(r.cells, "")
		} else {
			r.cells = append(r.cells, all[sp[0]:sp[1]])
		}
	}
	return nil
}

func (r *parquetReader) Close() error {
	if r.rows != nil {
		_ = r.rows.Close()
	}
	return r.f.Close()
}
