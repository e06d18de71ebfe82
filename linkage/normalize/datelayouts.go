package normalize

// DateLayouts is a list of date layouts prepared once for ParseDate: for
// each row it spares the reading of every layout and skips at once the
// layouts whose separators the value does not contain. A DateLayouts is
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
	}
	return l
}

// Parse is ParseDate(s, layouts, p) for the compiled layouts: same result
// on every input.
func (l *DateLayouts) Parse(s string, p Precision) (Date, bool) {
	return parseDateWith(s, l.layouts, l.compiled, p)
}

// asciiSet is a set of ASCII bytes.
type asciiSet [2]uint64

func (m *asciiSet) add(c byte) { m[c>>6] |= 1 << (c & 63) }

func asciiSetOf(s string) asciiSet {
	var m asciiSet
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x80 {
			m.add(c)
		}
	}
	return m
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
	underscore bool // _2: a leading space may stand for a digit
}

// A compiledLayout is a layout read once, as parseNumeric reads it.
type compiledLayout struct {
	handled bool         // false: time.Parse handles what elems accept
	elems   []layoutElem // up to the first element parseNumeric leaves to time.Parse
	lits    asciiSet     // the ASCII literals: a value without one of them fails
}

// compileLayout reads layout with the rules of parseNumeric.
func compileLayout(layout string) compiledLayout {
	var c compiledLayout
	for j := 0; j < len(layout); {
		e, n, known := nextElem(layout, j)
		if !known {
			// Another element: parseNumeric reads the elements before it
			// and leaves the rest to time.Parse.
			return c
		}
		if e.kind == elemLiteral && e.lit < 0x80 {
			c.lits.add(e.lit)
		}
		c.elems = append(c.elems, e)
		j += n
	}
	c.handled = true
	return c
}

// nextElem reads the layout element at layout[j] (j < len(layout)): 2006
// (year), 01 and 1 (month), 02, _2 and 2 (day), or a literal byte; known is
// false for the other elements (month names, two-digit years, times),
// which time.Parse reads.
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
		if c1 == '2' {
			return layoutElem{kind: elemDay, minW: 1, maxW: 2, underscore: true}, 2, true
		}
	}
	if (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') {
		return e, 0, false
	}
	return layoutElem{kind: elemLiteral, lit: c}, 1, true
}

// match reads the element at s[i:]: the value of a numeric element and the
// position after it; ok is false when s does not fit.
func (e *layoutElem) match(s string, i int) (v, next int, ok bool) {
	if e.kind == elemLiteral {
		if i >= len(s) || s[i] != e.lit {
			return 0, i, false
		}
		return 0, i + 1, true
	}
	maxW := int(e.maxW)
	if e.underscore && i < len(s) && s[i] == ' ' {
		i++
		maxW = 1
	}
	w := 0
	for w < maxW && i < len(s) && s[i] >= '0' && s[i] <= '9' {
		v = v*10 + int(s[i]-'0')
		i++
		w++
	}
	return v, i, w >= int(e.minW)
}

// set stores the value of a numeric element.
func (e *layoutElem) set(v int, y, m, d *int) {
	switch e.kind {
	case elemYear:
		*y = v
	case elemMonth:
		*m = v
	case elemDay:
		*d = v
	}
}

// parse is parseNumeric(s, layout) for the compiled layout; mask is
// asciiSetOf(s).
func (c *compiledLayout) parse(s string, mask asciiSet) (d Date, ok, handled bool) {
	if c.lits[0]&^mask[0] != 0 || c.lits[1]&^mask[1] != 0 {
		return Date{}, false, true // a separator s lacks
	}
	y, m, dd := 0, 1, 1
	i := 0
	for k := range c.elems {
		e := &c.elems[k]
		v, next, ok := e.match(s, i)
		if !ok {
			return Date{}, false, true
		}
		e.set(v, &y, &m, &dd)
		i = next
	}
	if !c.handled {
		return Date{}, false, false
	}
	return finishDate(s, i, y, m, dd)
}

// finishDate is the end of parseNumeric: all of s read (i), a real date.
func finishDate(s string, i, y, m, d int) (Date, bool, bool) {
	if i != len(s) || m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return Date{}, false, true
	}
	return Date{Year: y, Month: m, Day: d}, true, true
}
