package table

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/welfare-district/swd/internal/base"
)

// arrowReader reads the Arrow IPC file format (random access, "ARROW1"
// magic) and the stream format one record batch at a time.
type arrowReader struct {
	path   string
	f      *os.File
	file   *ipc.FileReader // file format
	stream *ipc.Reader     // stream format
	header []string
	cs     charset

	batch arrow.RecordBatch
	next  int // next batch (file format)
	i     int // next row in batch
	row   int
	out   []string
	err   error
}

var arrowMagic = []byte("ARROW1")

func openArrow(path string, f *os.File, cs charset) (_ Reader, err error) {
	defer func() { recovered(path, recover(), &err) }()
	r := &arrowReader{path: path, f: f, cs: cs}
	magic := make([]byte, len(arrowMagic))
	n, _ := io.ReadFull(f, magic)
	if n == 0 {
		return nil, invalidFile(path, "empty file", nil)
	}
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	// arrow-go allocates from the lengths in the metadata without bounding
	// them; check them first (arrowcheck.go).
	if err := checkArrow(f, st.Size(), bytes.Equal(magic, arrowMagic)); err != nil {
		return nil, &base.InputError{File: path, Reason: err.Error()}
	}
	var schema *arrow.Schema
	if bytes.Equal(magic, arrowMagic) {
		// The check bounds every block by the file, so arrow-go's default
		// limit of 256 MiB a batch body would only refuse valid files.
		if r.file, err = ipc.NewFileReader(f, ipc.WithBodySizeLimit(max(st.Size(), 1))); err != nil {
			return nil, invalidFile(path, "not a valid Arrow IPC file (truncated or corrupt?)", err)
		}
		schema = r.file.Schema()
	} else {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		if r.stream, err = ipc.NewReader(bufio.NewReaderSize(f, 1<<16)); err != nil {
			return nil, invalidFile(path, "not a valid Arrow IPC file or stream (truncated or corrupt?)", err)
		}
		schema = r.stream.Schema()
	}
	for _, fld := range schema.Fields() {
		if !arrowFlat(fld.Type) {
			return nil, &base.InputError{File: path, Column: fld.Name, Reason: fmt.Sprintf("column of nested type %s; only flat tables can be read", fld.Type)}
		}
		r.header = append(r.header, fld.Name)
	}
	if err := checkHeader(path, r.header); err != nil {
		r.closeIPC()
		return nil, err
	}
	r.out = make([]string, len(r.header))
	return r, nil
}

func arrowFlat(t arrow.DataType) bool {
	switch t := t.(type) {
	case arrow.NestedType:
		return false
	case *arrow.DictionaryType:
		return arrowFlat(t.ValueType)
	case arrow.ExtensionType:
		return arrowFlat(t.StorageType())
	}
	return true
}

func (r *arrowReader) Header() []string { return r.header }

func (r *arrowReader) Next() (row []string, rowNum int, err error) {
	if r.err != nil {
		return nil, 0, r.err
	}
	defer func() { settle(r.path, recover(), &err, &r.err) }()
	for r.batch == nil || r.i == int(r.batch.NumRows()) {
		if err := r.nextBatch(); err != nil {
			return nil, 0, err
		}
	}
	i := r.i
	r.i++
	r.row++
	for c := range r.out {
		s, ok := r.cell(r.batch.Column(c), i)
		if !ok {
			return nil, r.row, &base.InputError{File: r.path, Row: r.row, Column: r.header[c], Reason: latin1Hint}
		}
		r.out[c] = s
	}
	return r.out, r.row, nil
}

func (r *arrowReader) nextBatch() error {
	if r.batch != nil && r.file != nil {
		r.batch.Release()
	}
	r.batch, r.i = nil, 0
	if r.file != nil {
		if r.next == r.file.NumRecords() {
			return io.EOF
		}
		b, err := r.file.RecordBatchAt(r.next)
		if err != nil {
			return invalidFile(r.path, fmt.Sprintf("reading record batch %d (truncated or corrupt?)", r.next+1), err)
		}
		r.next++
		r.batch = b
	} else {
		if !r.stream.Next() {
			if err := r.stream.Err(); err != nil && err != io.EOF {
				return invalidFile(r.path, "reading record batch (truncated or corrupt?)", err)
			}
			return io.EOF
		}
		r.batch = r.stream.RecordBatch() // owned by the stream reader
	}
	if int(r.batch.NumCols()) != len(r.header) {
		return invalidFile(r.path, "record batch does not match the schema", nil)
	}
	return nil
}

// cell renders value i of a as text: null is "", strings as they are, binary
// as UTF-8 (or Latin-1) text, floats in the shortest decimal form, dates as
// YYYY-MM-DD, timestamps in RFC 3339; ok is false for invalid text.
func (r *arrowReader) cell(a arrow.Array, i int) (string, bool) {
	if a.IsNull(i) {
		return "", true
	}
	switch a := a.(type) {
	case *array.String:
		return r.text(a.Value(i), true)
	case *array.LargeString:
		return r.text(a.Value(i), true)
	case *array.StringView:
		return r.text(a.Value(i), true)
	case *array.Binary:
		return r.text(string(a.Value(i)), false)
	case *array.LargeBinary:
		return r.text(string(a.Value(i)), false)
	case *array.BinaryView:
		return r.text(string(a.Value(i)), false)
	case *array.FixedSizeBinary:
		return r.text(string(a.Value(i)), false)
	case *array.Float32:
		return strconv.FormatFloat(float64(a.Value(i)), 'f', -1, 32), true
	case *array.Float64:
		return strconv.FormatFloat(a.Value(i), 'f', -1, 64), true
	case *array.Timestamp:
		toTime, err := a.DataType().(*arrow.TimestampType).GetToTimeFunc()
		if err != nil {
			return strconv.FormatInt(int64(a.Value(i)), 10), true
		}
		return toTime(a.Value(i)).UTC().Format(time.RFC3339Nano), true
	case *array.Dictionary:
		return r.cell(a.Dictionary(), a.GetValueIndex(i))
	case array.ExtensionArray:
		return r.cell(a.Storage(), i)
	}
	return a.ValueStr(i), true
}

// text checks or decodes s. Arrow strings are UTF-8 by specification, so
// Latin-1 decoding only applies to binary columns.
func (r *arrowReader) text(s string, isString bool) (string, bool) {
	if !isString && r.cs != charsetUTF8 {
		return binaryText([]byte(s), r.cs)
	}
	if !utf8.ValidString(s) {
		return "", false
	}
	return s, true
}

func (r *arrowReader) closeIPC() {
	if r.file != nil {
		if r.batch != nil {
			r.batch.Release()
			r.batch = nil
		}
		_ = r.file.Close()
	}
	if r.stream != nil {
		r.stream.Release()
	}
}

func (r *arrowReader) Close() error {
	r.closeIPC()
	return r.f.Close()
}
