package table

import (
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
	"golang.org/x/text/encoding/charmap"

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
	latin1 bool

	rg    int // next row group
	rows  parquet.Rows
	buf   []parquet.Row
	n, i  int // rows in buf, next row in buf
	row   int
	out   []string
	err   error
	bytes []byte
}

// cellFunc renders a non-null value as text; ok is false for bytes that are
// not valid UTF-8.
type cellFunc func(v parquet.Value) (s string, ok bool)

func openParquet(path string, latin1 bool) (_ Reader, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, base.Mark(err, base.ErrInvalidInput)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
		}
	}()
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
	r := &parquetReader{path: path, f: f, pf: pf, latin1: latin1}
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
	r.out = make([]string, len(r.header))
	r.buf = make([]parquet.Row, parquetBatch)
	return r, nil
}

func (r *parquetReader) Header() []string { return r.header }

func (r *parquetReader) Next() (row []string, rowNum int, err error) {
	if r.err != nil {
		return nil, 0, r.err
	}
	defer func() {
		if err != nil && !isRowError(err) {
			r.err = err
		}
	}()
	defer func() { recovered(r.path, recover(), &err) }()
	for r.i == r.n {
		if err := r.fill(); err != nil {
			return nil, 0, err
		}
	}
	vals := r.buf[r.i]
	r.i++
	r.row++
	clear(r.out)
	for _, v := range vals {
		c := v.Column()
		if c < 0 || c >= len(r.out) {
			return nil, 0, invalidFile(r.path, "corrupt file", fmt.Errorf("value for column %d of %d", c, len(r.out)))
		}
		if v.IsNull() {
			continue
		}
		s, ok := r.conv[c](v)
		if !ok {
			return nil, r.row, &base.InputError{File: r.path, Row: r.row, Column: r.header[c], Reason: latin1Hint}
		}
		r.out[c] = s
	}
	return r.out, r.row, nil
}

// fill reads the next batch of rows, moving to the next row group as needed.
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
	r.n, r.i = n, 0
	if errors.Is(err, io.EOF) {
		_ = r.rows.Close()
		r.rows = nil
		return nil
	}
	if err != nil {
		return invalidFile(r.path, fmt.Sprintf("reading row group %d (truncated or corrupt?)", r.rg), err)
	}
	return nil
}

func isRowError(err error) bool {
	var ie *base.InputError
	return errors.As(err, &ie) && ie.Row > 0
}

func (r *parquetReader) Close() error {
	if r.rows != nil {
		_ = r.rows.Close()
	}
	return r.f.Close()
}

// converter returns the text rendering of a column type: integers in base
// 10, floats in the shortest decimal form, dates as YYYY-MM-DD, timestamps
// in RFC 3339, decimals with their scale, byte arrays as text.
func (r *parquetReader) converter(t parquet.Type) cellFunc {
	lt := t.LogicalType()
	var ct deprecated.ConvertedType = -1
	if p := t.ConvertedType(); p != nil {
		ct = *p
	}
	switch t.Kind() {
	case parquet.Boolean:
		return func(v parquet.Value) (string, bool) { return strconv.FormatBool(v.Boolean()), true }
	case parquet.Int32:
		switch {
		case lt != nil && isType[*format.DateType](lt), ct == deprecated.Date:
			return func(v parquet.Value) (string, bool) { return formatDate(int64(v.Int32())), true }
		case decimalScale(lt, t) >= 0:
			scale := decimalScale(lt, t)
			return func(v parquet.Value) (string, bool) { return formatDecimal(big.NewInt(int64(v.Int32())), scale), true }
		case isUnsigned(lt, ct):
			return func(v parquet.Value) (string, bool) { return strconv.FormatUint(uint64(uint32(v.Int32())), 10), true }
		}
		return func(v parquet.Value) (string, bool) { return strconv.FormatInt(int64(v.Int32()), 10), true }
	case parquet.Int64:
		if unit := timestampUnit(lt, ct); unit != 0 {
			return func(v parquet.Value) (string, bool) { return formatTimestamp(v.Int64(), unit), true }
		}
		if scale := decimalScale(lt, t); scale >= 0 {
			return func(v parquet.Value) (string, bool) { return formatDecimal(big.NewInt(v.Int64()), scale), true }
		}
		if isUnsigned(lt, ct) {
			return func(v parquet.Value) (string, bool) { return strconv.FormatUint(uint64(v.Int64()), 10), true }
		}
		return func(v parquet.Value) (string, bool) { return strconv.FormatInt(v.Int64(), 10), true }
	case parquet.Int96:
		return func(v parquet.Value) (string, bool) { return formatInt96(v.Int96()), true }
	case parquet.Float:
		return func(v parquet.Value) (string, bool) {
			return strconv.FormatFloat(float64(v.Float()), 'f', -1, 32), true
		}
	case parquet.Double:
		return func(v parquet.Value) (string, bool) { return strconv.FormatFloat(v.Double(), 'f', -1, 64), true }
	}
	// Byte arrays.
	if scale := decimalScale(lt, t); scale >= 0 {
		return func(v parquet.Value) (string, bool) {
			return formatDecimal(bigEndianSigned(v.ByteArray()), scale), true
		}
	}
	if lt != nil && isType[*format.UUIDType](lt) {
		return func(v parquet.Value) (string, bool) { return formatUUID(v.ByteArray()), true }
	}
	return r.text
}

func (r *parquetReader) text(v parquet.Value) (string, bool) {
	b := v.ByteArray()
	if r.latin1 {
		var err error
		if r.bytes, err = charmap.Windows1252.NewDecoder().Bytes(b); err != nil {
			return "", false
		}
		return string(r.bytes), true
	}
	if !utf8.Valid(b) {
		return "", false
	}
	return string(b), true
}

func isType[T format.LogicalTypeValue](lt *format.LogicalType) bool {
	_, ok := lt.Value.(T)
	return ok
}

func isUnsigned(lt *format.LogicalType, ct deprecated.ConvertedType) bool {
	if lt != nil {
		if it, ok := lt.Value.(*format.IntType); ok {
			return !it.IsSigned
		}
	}
	switch ct {
	case deprecated.Uint8, deprecated.Uint16, deprecated.Uint32, deprecated.Uint64:
		return true
	}
	return false
}

// decimalScale is the scale of a decimal column, or -1.
func decimalScale(lt *format.LogicalType, t parquet.Type) int {
	if lt != nil {
		if d, ok := lt.Value.(*format.DecimalType); ok {
			return int(d.Scale)
		}
	}
	return -1
}

func timestampUnit(lt *format.LogicalType, ct deprecated.ConvertedType) time.Duration {
	if lt != nil {
		if ts, ok := lt.Value.(*format.TimestampType); ok {
			switch ts.Unit.Value.(type) {
			case *format.MilliSeconds:
				return time.Millisecond
			case *format.MicroSeconds:
				return time.Microsecond
			case *format.NanoSeconds:
				return time.Nanosecond
			}
		}
	}
	switch ct {
	case deprecated.TimestampMillis:
		return time.Millisecond
	case deprecated.TimestampMicros:
		return time.Microsecond
	}
	return 0
}

func formatDate(days int64) string {
	return time.Unix(days*86400, 0).UTC().Format(time.DateOnly)
}

func formatTimestamp(v int64, unit time.Duration) string {
	per := int64(time.Second / unit)
	return time.Unix(v/per, (v%per)*int64(unit)).UTC().Format(time.RFC3339Nano)
}

// formatInt96 renders a legacy Impala/Spark timestamp: nanoseconds of the day
// in the first 8 bytes, Julian day in the last 4.
func formatInt96(v deprecated.Int96) string {
	nanos := int64(v[1])<<32 | int64(v[0])
	day := int64(v[2]) - 2440588 // Julian day of 1970-01-01
	return time.Unix(day*86400, nanos).UTC().Format(time.RFC3339Nano)
}

// bigEndianSigned decodes a big-endian two's complement integer.
func bigEndianSigned(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}

func formatDecimal(n *big.Int, scale int) string {
	s := n.String()
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	if scale > 0 {
		for len(s) <= scale {
			s = "0" + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func formatUUID(b []byte) string {
	if len(b) != 16 {
		return fmt.Sprintf("%x", b)
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
