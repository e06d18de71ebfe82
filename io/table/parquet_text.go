package table

import (
	"fmt"
	"math/big"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// converter returns the text rendering of a column type: integers in base
// 10, floats in the shortest decimal form, dates as YYYY-MM-DD, timestamps
// in RFC 3339, decimals with their scale, byte arrays as text.
func (r *parquetReader) converter(t parquet.Type) cellFunc {
	lt := t.LogicalType()
	var ct deprecated.ConvertedType = -1
	if p := t.ConvertedType(); p != nil {
		ct = *p
	}
	scale := decimalScale(lt)
	switch t.Kind() {
	case parquet.Boolean:
		return func(dst []byte, v parquet.Value) ([]byte, bool) { return strconv.AppendBool(dst, v.Boolean()), true }
	case parquet.Int32:
		switch {
		case lt != nil && isType[*format.DateType](lt), ct == deprecated.Date:
			return func(dst []byte, v parquet.Value) ([]byte, bool) { return appendDate(dst, int64(v.Int32())), true }
		case scale >= 0:
			return func(dst []byte, v parquet.Value) ([]byte, bool) {
				return append(dst, formatDecimal(big.NewInt(int64(v.Int32())), scale)...), true
			}
		case isUnsigned(lt, ct):
			return func(dst []byte, v parquet.Value) ([]byte, bool) {
				return strconv.AppendUint(dst, uint64(uint32(v.Int32())), 10), true
			}
		}
		return func(dst []byte, v parquet.Value) ([]byte, bool) {
			return strconv.AppendInt(dst, int64(v.Int32()), 10), true
		}
	case parquet.Int64:
		switch unit := timestampUnit(lt, ct); {
		case unit != 0:
			return func(dst []byte, v parquet.Value) ([]byte, bool) { return appendTimestamp(dst, v.Int64(), unit), true }
		case scale >= 0:
			return func(dst []byte, v parquet.Value) ([]byte, bool) {
				return append(dst, formatDecimal(big.NewInt(v.Int64()), scale)...), true
			}
		case isUnsigned(lt, ct):
			return func(dst []byte, v parquet.Value) ([]byte, bool) {
				return strconv.AppendUint(dst, uint64(v.Int64()), 10), true
			}
		}
		return func(dst []byte, v parquet.Value) ([]byte, bool) { return strconv.AppendInt(dst, v.Int64(), 10), true }
	case parquet.Int96:
		return func(dst []byte, v parquet.Value) ([]byte, bool) { return appendInt96(dst, v.Int96()), true }
	case parquet.Float:
		return func(dst []byte, v parquet.Value) ([]byte, bool) {
			return strconv.AppendFloat(dst, float64(v.Float()), 'f', -1, 32), true
		}
	case parquet.Double:
		return func(dst []byte, v parquet.Value) ([]byte, bool) {
			return strconv.AppendFloat(dst, v.Double(), 'f', -1, 64), true
		}
	}
	// Byte arrays.
	if scale >= 0 {
		return func(dst []byte, v parquet.Value) ([]byte, bool) {
			return append(dst, formatDecimal(bigEndianSigned(v.ByteArray()), scale)...), true
		}
	}
	if lt != nil && isType[*format.UUIDType](lt) {
		return func(dst []byte, v parquet.Value) ([]byte, bool) {
			return append(dst, formatUUID(v.ByteArray())...), true
		}
	}
	// STRING columns are UTF-8 by specification; Latin-1 applies to plain
	// binary columns only.
	isString := lt != nil && (isType[*format.StringType](lt) || isType[*format.EnumType](lt) || isType[*format.JsonType](lt)) ||
		ct == deprecated.UTF8 || ct == deprecated.Enum || ct == deprecated.Json
	if !isString && r.cs != charsetUTF8 {
		return func(dst []byte, v parquet.Value) ([]byte, bool) {
			t, ok := binaryText(v.ByteArray(), r.cs)
			return append(dst, t...), ok
		}
	}
	return func(dst []byte, v parquet.Value) ([]byte, bool) {
		b := v.ByteArray()
		return append(dst, b...), utf8.Valid(b)
	}
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
func decimalScale(lt *format.LogicalType) int {
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

func appendDate(dst []byte, days int64) []byte {
	return time.Unix(days*86400, 0).UTC().AppendFormat(dst, time.DateOnly)
}

func appendTimestamp(dst []byte, v int64, unit time.Duration) []byte {
	per := int64(time.Second / unit)
	return time.Unix(v/per, (v%per)*int64(unit)).UTC().AppendFormat(dst, time.RFC3339Nano)
}

// formatInt96 renders a legacy Impala/Spark timestamp: nanoseconds of the day
// in the first 8 bytes, Julian day in the last 4.
func appendInt96(dst []byte, v deprecated.Int96) []byte {
	nanos := int64(v[1])<<32 | int64(v[0])
	day := int64(v[2]) - 2440588 // Julian day of 1970-01-01
	return time.Unix(day*86400, nanos).UTC().AppendFormat(dst, time.RFC3339Nano)
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
