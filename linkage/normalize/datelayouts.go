package normalize

import "strings"

// DateLayouts is a list of date layouts prepared once for ParseDate: for
// each value it spares the reading of every layout and rejects at once the
// layouts whose first number and separator the value does not start with. A DateLayouts is
// immutable and safe for concurrent use.
type DateLayouts struct {
	layouts  []string
	compiled []compiledLayout
}

// CompileDateLayouts prepares layouts (as given to ParseDate; see
// ExpandLayouts) for DateLayouts.Parse. It copies the list.
func CompileDateLayouts(layouts []string) *DateLayouts {
	l := &DateLayouts{layouts: append([]string(nil), layouts...)}
	l.compiled = make([]compiledLayout, len(l.layouts))
	for i, s := range l.layouts {
		l.compiled[i] = compileLayout(s)
		l.compiled[i].setQuick()
	}
	return l
}

// Parse is ParseDate(s, layouts, p) for the compiled layouts: same result
// on every input.
func (l *DateLayouts) Parse(s string, p Precision) (Date, bool) {
	return parseDateWith(s, l.layouts, l.compiled, p)
}

// parseCompiled parses s with the first compiled layout that accepts it
// (c[k] is layouts[k]) and truncates the date to p.
func parseCompiled(s string, layouts []string, c []compiledLayout, p Precision) (Date, bool) {
	var head numericHead
	headDone := false
	for k := range c {
		ck := &c[k]
		var d Date
		var ok, handled bool
		if ck.pattern != "" {
			if len(s) != len(ck.pattern) {
				continue // see compiledLayout.pattern
			}
			d, ok = ck.parseFixed(s)
			handled = true
		} else {
			if ck.quick {
				if !headDone {
					head, headDone = numericHeadOf(s), true
				}
				if head.atEnd || head.digits < int(ck.elems[0].minW) ||
					head.digits > int(ck.elems[0].maxW) || head.next != ck.elems[1].lit {
					continue // see compiledLayout.quick
				}
			}
			d, ok, handled = ck.parse(s)
		}
		if !handled {
			d, ok = timeParse(layouts[k], s)
		}
		if !ok {
			continue
		}
		return truncate(d, p)
	}
	return Date{}, false
}

// numericHead describes how a value starts: its leading digits and the
// byte after them.
type numericHead struct {
	digits int  // number of leading ASCII digits
	next   byte // the byte after them (0 at the end)
	atEnd  bool // the value is all digits
}

func numericHeadOf(s string) numericHead {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == len(s) {
		return numericHead{digits: i, atEnd: true}
	}
	return numericHead{digits: i, next: s[i]}
}

// Kinds of layout elements.
const (
	elemLiteral = iota
	elemYear
	elemMonth
	elemDay
)

// A layoutElem is a literal byte or a numeric element of 1–4 digits.
type layoutElem struct {
	kind       uint8
	lit        byte // elemLiteral
	minW, maxW uint8
	underscore bool // _2: a space may come before the one or two digits
}

// A compiledLayout is a layout read once. Layouts made only of the numeric
// elements 2006 (year), 01/1 (month), 02/2/_2 (day) and literal separators
// (every default layout) are parsed here, without time.Parse and its
// allocations: most rows of an export go through here. A layout with other
// elements (month names, two-digit years, times) is left to time.Parse. A
// date must exist (no 31 February); a layout without a day or month takes
// the 1st.
type compiledLayout struct {
	handled bool         // false: time.Parse handles what elems accept
	elems   []layoutElem // up to the first element left to time.Parse
	// quick is set when the layout starts with a numeric element (not
	// _2) followed by a literal, so that a value can only fit when its
	// leading digits number minW–maxW and the literal follows them.
	quick bool
	// pattern is set for a layout of fixed width (numeric elements of
	// exactly two or four digits, no _2): a value fits only if it has
	// its length, with a digit wherever pattern has 0 and pattern's byte
	// elsewhere.
	pattern  string
	fields   []fixedField   // the numeric elements of a pattern, in order
	literals []fixedLiteral // the literals of a pattern
}

// A fixedLiteral is a literal byte at a fixed offset of a pattern.
type fixedLiteral struct {
	off uint8
	lit byte
}

// A fixedField is a numeric element at a fixed offset of a pattern.
type fixedField struct {
	kind, off, width uint8
}

// compileLayout reads layout (see compiledLayout).
func compileLayout(layout string) compiledLayout {
	var c compiledLayout
	for j := 0; j < len(layout); {
		e, n, known := nextElem(layout, j)
		if !known {
			// Another element: parse reads the elements before it and
			// leaves the rest to time.Parse.
			return c
		}
		c.elems = append(c.elems, e)
		j += n
	}
	c.handled = true
	return c
}

// setQuick sets c.quick from its first two elements, and c.pattern.
func (c *compiledLayout) setQuick() {
	c.quick = len(c.elems) >= 2 && c.elems[0].kind != elemLiteral && !c.elems[0].underscore &&
		c.elems[1].kind == elemLiteral
	if !c.handled {
		return
	}
	var p []byte
	var fields []fixedField
	var lits []fixedLiteral
	for _, e := range c.elems {
		switch {
		case e.kind == elemLiteral:
			if e.lit == 0 {
				return
			}
			lits = append(lits, fixedLiteral{off: uint8(len(p)), lit: e.lit})
			p = append(p, e.lit)
		case e.minW != e.maxW || e.underscore || (e.minW != 2 && e.minW != 4) || len(p) > 200:
			return
		default:
			fields = append(fields, fixedField{kind: e.kind, off: uint8(len(p)), width: e.minW})
			for range e.minW {
				p = append(p, 0)
			}
		}
	}
	c.pattern, c.fields, c.literals = string(p), fields, lits
}

// nextElem reads the layout element at layout[j] (j < len(layout)) as
// time.Parse reads it: 2006 (year), 01 and 1 (month), 02, _2 and 2 (day),
// or a literal byte (the _ of _2006 is one); known is false for the other
// elements (month names, two-digit years, days of the year, times, zone
// offsets such as -07, fractional seconds such as .000 or ,999), which
// time.Parse reads. A byte it cannot tell is known as a literal is
// unknown too: leaving it to time.Parse is always right.
func nextElem(layout string, j int) (e layoutElem, n int, known bool) {
	c := layout[j]
	var c1 byte
	if j+1 < len(layout) {
		c1 = layout[j+1]
	}
	switch c {
	case '2':
		if c1 == '0' && j+3 < len(layout) && layout[j+2] == '0' && layout[j+3] == '6' {
			return layoutElem{kind: elemYear, minW: 4, maxW: 4}, 4, true
		}
		return layoutElem{kind: elemDay, minW: 1, maxW: 2}, 1, true
	case '0':
		switch c1 {
		case '1':
			return layoutElem{kind: elemMonth, minW: 2, maxW: 2}, 2, true
		case '2':
			return layoutElem{kind: elemDay, minW: 2, maxW: 2}, 2, true
		}
		return e, 0, false
	case '1':
		return layoutElem{kind: elemMonth, minW: 1, maxW: 2}, 1, true
	case '_':
		switch {
		case strings.HasPrefix(layout[j+1:], "2006"):
			// time.Parse reads _2006 as a literal _ and a year.
		case c1 == '2':
			return layoutElem{kind: elemDay, minW: 1, maxW: 2, underscore: true}, 2, true
		case c1 == '_' && j+2 < len(layout) && layout[j+2] == '2':
			return e, 0, false // __2: day of the year
		}
	case '-':
		if strings.HasPrefix(layout[j:], "-07") {
			return e, 0, false // a zone offset: -07, -0700, -07:00…
		}
	case '.', ',':
		if c1 == '0' || c1 == '9' {
			k := j + 1
			for k < len(layout) && layout[k] == c1 {
				k++
			}
			if k == len(layout) || layout[k] < '0' || layout[k] > '9' {
				return e, 0, false // fractional seconds: .000, ,999…
			}
		}
	}
	if (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') {
		return e, 0, false
	}
	return layoutElem{kind: elemLiteral, lit: c}, 1, true
}

// parse parses s with the compiled layout, once the quick test (done by
// the caller) has passed; handled is false when the layout is left to
// time.Parse.
func (c *compiledLayout) parse(s string) (d Date, ok, handled bool) {
	y, m, dd := 0, 1, 1
	i := 0
	for k := range c.elems {
		e := &c.elems[k]
		if e.kind == elemLiteral {
			if i >= len(s) || s[i] != e.lit {
				return Date{}, false, true
			}
			i++
			continue
		}
		if e.underscore && i < len(s) && s[i] == ' ' {
			i++ // then one or two digits, as time.Parse reads them
		}
		v, w := 0, 0
		for w < int(e.maxW) && i < len(s) && s[i] >= '0' && s[i] <= '9' {
			v = v*10 + int(s[i]-'0')
			i++
			w++
		}
		if w < int(e.minW) {
			return Date{}, false, true
		}
		switch e.kind {
		case elemYear:
			y = v
		case elemMonth:
			m = v
		default:
			dd = v
		}
	}
	if !c.handled {
		return Date{}, false, false
	}
	return finishDate(s, i, y, m, dd)
}

// parseFixed is parse for a layout with a pattern, given a value of the
// pattern's length: each numeric element reads exactly its width, each
// literal its byte, and the whole value must be read, so the value fits if
// and only if it has the literals and digits of the pattern.
func (c *compiledLayout) parseFixed(s string) (d Date, ok bool) {
	if len(s) != len(c.pattern) {
		return Date{}, false
	}
	for _, l := range c.literals {
		if s[l.off] != l.lit {
			return Date{}, false
		}
	}
	y, m, dd := 0, 1, 1
	for _, f := range c.fields {
		o := int(f.off)
		d0, d1 := s[o]-'0', s[o+1]-'0'
		if d0 > 9 || d1 > 9 {
			return Date{}, false
		}
		v := int(d0)*10 + int(d1)
		if f.width == 4 {
			d2, d3 := s[o+2]-'0', s[o+3]-'0'
			if d2 > 9 || d3 > 9 {
				return Date{}, false
			}
			v = v*100 + int(d2)*10 + int(d3)
		}
		switch f.kind {
		case elemYear:
			y = v
		case elemMonth:
			m = v
		default:
			dd = v
		}
	}
	if m < 1 || m > 12 || dd < 1 || dd > daysIn(m, y) {
		return Date{}, false
	}
	return Date{Year: y, Month: m, Day: dd}, true
}

// finishDate is the end of parse: all of s read (i), a real date.
func finishDate(s string, i, y, m, d int) (Date, bool, bool) {
	if i != len(s) || m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return Date{}, false, true
	}
	return Date{Year: y, Month: m, Day: d}, true, true
}
