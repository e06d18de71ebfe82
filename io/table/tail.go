package table

import (
	"encoding/csv"
	"io"
)

// tailReader keeps the bytes read through it from the start of the current
// CSV record, so that a syntax error can be traced to the field it is in.
type tailReader struct {
	r    io.Reader
	buf  []byte
	base int64 // input offset of buf[0]
}

func (t *tailReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// forget drops the bytes before input offset off (the start of the next
// record), compacting only when that frees most of the buffer.
func (t *tailReader) forget(off int64) {
	k := int(off - t.base)
	if k <= 0 || k > len(t.buf) {
		return
	}
	if k < len(t.buf)/2 && k < 1<<16 {
		return
	}
	n := copy(t.buf, t.buf[k:])
	t.buf = t.buf[:n]
	t.base = off
}

// fieldAt returns the 0-based index of the field in which a syntax error
// lies, for the record starting at input offset start, or -1 if unknown.
func (t *tailReader) fieldAt(start int64, pe *csv.ParseError, delim rune) int {
	k := int(start - t.base)
	if k < 0 || k > len(t.buf) || delim >= 0x80 {
		return -1
	}
	raw := t.buf[k:]
	line, field, quoted := pe.StartLine, 0, false
	lineStart := 0
	for i, c := range raw {
		if line == pe.Line && i-lineStart+1 >= pe.Column {
			return field
		}
		switch {
		case c == '\n':
			line++
			lineStart = i + 1
		case c == '"':
			quoted = !quoted
		case rune(c) == delim && !quoted:
			field++
		}
	}
	if line >= pe.Line {
		return field // error at the end of the input (an unclosed quote)
	}
	return -1
}
