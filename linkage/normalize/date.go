package normalize

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultDateLayouts are the date formats Italian offices use, as Go time
// layouts: 02/01/2006, 2006-01-02, 02-01-2006, 02.01.2006 (day first).
// ExpandLayouts adds their forms without leading zeros.
var DefaultDateLayouts = []string{"02/01/2006", "2006-01-02", "02-01-2006", "02.01.2006"}

// ExpandLayouts returns layouts, each followed by its form that also
// accepts days and months without a leading zero (9/2/1992 for 02/01/2006),
// without duplicates: the list to give ParseDate.
func ExpandLayouts(layouts []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range layouts {
		for _, v := range []string{l, lenient(l)} {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// Precision is how much of a date a field records.
type Precision int

// Date precisions.
const (
	PrecisionDay Precision = iota
	PrecisionMonth
	PrecisionYear
)

// Date is a calendar date; Month and Day are 0 below their precision.
type Date struct{ Year, Month, Day int }

// ParseDate parses s (trimmed) with the first layout that accepts it (see
// ExpandLayouts for the unpadded variants) and
// truncates the result to precision. Years must lie in 1800–2199. When no
// layout fits, it retries with the letters typists put for digits (O→0,
// I/L→1, Z→2, S→5, G→6, B→8), then with day and month exchanged (a month above
// 12 written first, 12/25/1990). The boolean is false when nothing fits;
// the caller reports the row and column, never the value.
//
// It compiles the layouts on every call: callers that parse many values
// with the same layouts compile them once with CompileDateLayouts (same
// results).
func ParseDate(s string, layouts []string, p Precision) (Date, bool) {
	return CompileDateLayouts(layouts).Parse(s, p)
}

// parseDateWith is ParseDate with the layouts compiled (c[k] is layouts[k]).
func parseDateWith(s string, layouts []string, c []compiledLayout, p Precision) (Date, bool) {
	if s == "" || s[0] <= ' ' || s[0] >= utf8.RuneSelf || s[len(s)-1] <= ' ' || s[len(s)-1] >= utf8.RuneSelf {
		s = strings.TrimSpace(s)
	}
	if s == "" {
		return Date{}, false
	}
	if d, ok := parseCompiled(s, layouts, c, p); ok {
		return d, true
	}
	if f := digitTypos.Replace(s); f != s {
		if d, ok := parseCompiled(f, layouts, c, p); ok {
			return d, true
		}
		s = f
	}
	if sw, ok := swapDayMonth(s); ok {
		return parseCompiled(sw, layouts, c, p)
	}
	return Date{}, false
}

var digitTypos = strings.NewReplacer("O", "0", "o", "0", "I", "1", "l", "1", "L", "1", "Z", "2", "z", "2", "S", "5", "G", "6", "B", "8")

// swapDayMonth exchanges the first two numeric groups of d/m/yyyy-like
// text.
func swapDayMonth(s string) (string, bool) {
	i := strings.IndexAny(s, "/.-")
	if i < 1 || i > 2 {
		return "", false
	}
	j := strings.IndexAny(s[i+1:], "/.-")
	if j < 1 || j > 2 || s[i] != s[i+1+j] {
		return "", false
	}
	j += i + 1
	return s[i+1:j] + s[i:i+1] + s[:i] + s[j:], true
}

// timeParse parses s with a layout compiledLayout.parse does not handle.
func timeParse(layout, s string) (Date, bool) {
	t, err := time.Parse(layout, s)
	return Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}, err == nil
}

// truncate checks the year of a parsed date and truncates it to p.
func truncate(d Date, p Precision) (Date, bool) {
	if d.Year < 1800 || d.Year > 2199 {
		return Date{}, false
	}
	switch p {
	case PrecisionYear:
		d.Month, d.Day = 0, 0
	case PrecisionMonth:
		d.Day = 0
	}
	return d, true
}

// lenient turns the zero-padded day and month of a layout into their
// unpadded forms, which Go parses with or without the leading zero.
func lenient(l string) string {
	if strings.Contains(l, "2006") {
		return unpad.Replace(l)
	}
	return l
}

var unpad = strings.NewReplacer("02", "2", "01", "1")

// String is the compact form YYYYMMDD (YYYY or YYYYMM at lower precision).
// The year of a date between 1800 and 2199 with neither month nor day (a
// date at PrecisionYear, or Date{Year: y}) comes from a table, without
// allocating.
func (d Date) String() string {
	if d.Month == 0 && d.Day == 0 && d.Year >= yearTableMin && d.Year <= yearTableMax {
		i := 4 * (d.Year - yearTableMin)
		return yearTable[i : i+4]
	}
	var buf [32]byte
	return string(d.AppendString(buf[:0]))
}

// AppendString appends d.String() to dst.
func (d Date) AppendString(dst []byte) []byte {
	dst = appendPad(dst, d.Year, 4)
	if d.Month > 0 {
		dst = appendPad(dst, d.Month, 2)
	}
	if d.Day > 0 {
		dst = appendPad(dst, d.Day, 2)
	}
	return dst
}

// The years ParseDate accepts, and their four digits end to end.
const (
	yearTableMin = 1800
	yearTableMax = 2199
)

var yearTable = func() string {
	var b []byte
	for y := yearTableMin; y <= yearTableMax; y++ {
		b = appendPad(b, y, 4)
	}
	return string(b)
}()

// AppendTokens adds the date-part tokens "y:1985", "m:12", "d:10" for the
// parts the date has, and, when swap is set and both day and month are
// known, the order-free token "dm:10-12" that a day/month swap preserves.
// The tokens of a date ParseDate returns come from tables, without
// allocating.
func (d Date) AppendTokens(dst []string, swap bool) []string {
	if d.Year >= yearTableMin && d.Year <= yearTableMax {
		i := 6 * (d.Year - yearTableMin)
		dst = append(dst, yearTokens[i:i+6])
	} else {
		dst = append(dst, "y:"+strconv.Itoa(d.Year))
	}
	if d.Month > 0 {
		if d.Month <= 12 {
			dst = append(dst, monthTokens[d.Month])
		} else {
			dst = append(dst, "m:"+strconv.Itoa(d.Month))
		}
	}
	if d.Day > 0 {
		if d.Day <= 31 {
			dst = append(dst, dayTokens[d.Day])
		} else {
			dst = append(dst, "d:"+strconv.Itoa(d.Day))
		}
	}
	if swap && d.Month > 0 && d.Day > 0 {
		lo, hi := d.Day, d.Month
		if lo > hi {
			lo, hi = hi, lo
		}
		if lo <= 12 && hi <= 31 {
			dst = append(dst, dayMonthTokens[lo][hi])
		} else {
			dst = append(dst, "dm:"+strconv.Itoa(lo)+"-"+strconv.Itoa(hi))
		}
	}
	return dst
}

// The date-part tokens of the dates ParseDate returns: the years
// "y:1800"…"y:2199" end to end (six bytes each), "m:1"…"m:12", "d:1"…"d:31"
// and "dm:lo-hi" for 1 ≤ lo ≤ 12, lo ≤ hi ≤ 31 (indexed by value).
var (
	yearTokens = func() string {
		var b []byte
		for y := yearTableMin; y <= yearTableMax; y++ {
			b = strconv.AppendInt(append(b, "y:"...), int64(y), 10)
		}
		return string(b)
	}()
	monthTokens = func() (t [13]string) {
		for m := 1; m <= 12; m++ {
			t[m] = "m:" + strconv.Itoa(m)
		}
		return t
	}()
	dayTokens = func() (t [32]string) {
		for d := 1; d <= 31; d++ {
			t[d] = "d:" + strconv.Itoa(d)
		}
		return t
	}()
	dayMonthTokens = func() (t [13][32]string) {
		for lo := 1; lo <= 12; lo++ {
			for hi := lo; hi <= 31; hi++ {
				t[lo][hi] = "dm:" + strconv.Itoa(lo) + "-" + strconv.Itoa(hi)
			}
		}
		return t
	}()
)

// appendPad appends the decimal form of v left-padded with zeros to width
// (a minus sign counts as a character and is padded too: "00-5").
func appendPad(b []byte, v, width int) []byte {
	if v >= 0 && v < 10000 && width <= 4 {
		n := 1
		for p := 10; p <= v; p *= 10 {
			n++
		}
		for i := n; i < width; i++ {
			b = append(b, '0')
		}
		switch n {
		case 4:
			b = append(b, byte('0'+v/1000))
			fallthrough
		case 3:
			b = append(b, byte('0'+v/100%10))
			fallthrough
		case 2:
			b = append(b, byte('0'+v/10%10))
			fallthrough
		default:
			b = append(b, byte('0'+v%10))
		}
		return b
	}
	var tmp [24]byte
	s := strconv.AppendInt(tmp[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
