package table

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/welfare-district/swd/internal/base"
)

const latin1Hint = "invalid UTF-8; if the file is Latin-1 or Windows-1252, use --encoding latin-1"

type csvReader struct {
	path   string
	f      *os.File
	cr     *csv.Reader
	tail   *tailReader
	delim  rune
	header []string
	trim   bool
	utf8   bool // cells must be checked for valid UTF-8
	row    int
	out    []string
	err    error // sticky fatal error
}

func openCSV(path string, f *os.File, opts Options, latin1 bool) (Reader, error) {
	br := bufio.NewReaderSize(f, 1<<16)
	if err := skipBOM(path, br); err != nil {
		return nil, err
	}
	delim := opts.Delimiter
	if delim == 0 {
		delim = sniffDelimiter(br, opts.Comment)
	}
	if delim == '"' || delim == '\r' || delim == '\n' || delim == utf8.RuneError || delim == opts.Comment {
		return nil, base.Usagef("invalid CSV delimiter %q", delim)
	}
	var in io.Reader = br
	if latin1 {
		in = charmap.Windows1252.NewDecoder().Reader(br)
	}
	tail := &tailReader{r: in}
	cr := csv.NewReader(tail)
	cr.Comma = delim
	cr.Comment = opts.Comment
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	// TrimLeadingSpace lets `a, "b"` parse as a quoted field, but it would
	// swallow empty fields when the delimiter is itself white space.
	cr.TrimLeadingSpace = opts.TrimSpace && delim != '\t' && delim != ' '
	r := &csvReader{path: path, f: f, cr: cr, tail: tail, delim: delim, trim: opts.TrimSpace, utf8: !latin1}
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	return r, nil
}

// skipBOM drops a UTF-8 byte order mark and refuses UTF-16 files, which would
// otherwise read as a single garbled column.
func skipBOM(path string, br *bufio.Reader) error {
	b, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return invalidFile(path, "file is UTF-16; save it as UTF-8 (or Latin-1) CSV", nil)
	}
	return nil
}

// sniffDelimiter picks, among , ; tab and |, the one that occurs most often
// outside quotes in the header line (the first line that is neither blank
// nor a comment); comma when none occurs.
func sniffDelimiter(br *bufio.Reader, comment rune) rune {
	b, _ := br.Peek(br.Size())
	var line []byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			i = len(b)
		}
		line, b = bytes.TrimRight(b[:i], "\r"), b[min(i+1, len(b)):]
		if len(line) > 0 && (comment == 0 || !bytes.HasPrefix(line, []byte(string(comment)))) {
			break
		}
		line = nil
	}
	counts := map[byte]int{}
	quoted := false
	for _, c := range line {
		switch c {
		case '"':
			quoted = !quoted
		case ',', ';', '\t', '|':
			if !quoted {
				counts[c]++
			}
		}
	}
	best, n := byte(','), 0
	for _, c := range []byte{',', ';', '\t', '|'} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return rune(best)
}

func (r *csvReader) readHeader() error {
	rec, err := r.cr.Read()
	if err == io.EOF {
		return invalidFile(r.path, "empty file (no header)", nil)
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return &base.InputError{File: r.path, Reason: "malformed header at " + base.SafeDetail(pe)}
		}
		return fmt.Errorf("reading %s: %s", r.path, base.SafeDetail(err))
	}
	header := make([]string, len(rec))
	for i, h := range rec {
		if !utf8.ValidString(h) {
			return &base.InputError{File: r.path, Reason: fmt.Sprintf("header column %d: %s", i+1, latin1Hint)}
		}
		header[i] = strings.TrimSpace(h)
	}
	if len(header) == 1 && header[0] == "" {
		return invalidFile(r.path, "no header (the first line is empty)", nil)
	}
	if err := checkHeader(r.path, header); err != nil {
		return err
	}
	r.header = header
	r.out = make([]string, len(header))
	return nil
}

func (r *csvReader) Header() []string { return r.header }

func (r *csvReader) Next() ([]string, int, error) {
	if r.err != nil {
		return nil, 0, r.err
	}
	start := r.cr.InputOffset()
	r.tail.forget(start)
	rec, err := r.cr.Read()
	if err == io.EOF {
		r.err = io.EOF
		return nil, 0, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			r.err = fmt.Errorf("reading %s: %s", r.path, base.SafeDetail(err))
			return nil, 0, r.err
		}
		r.row++
		ie := &base.InputError{File: r.path, Row: r.row, Reason: parseReason(pe)}
		if i := r.tail.fieldAt(start, pe, r.delim); i >= 0 && i < len(r.header) {
			ie.Column = r.header[i]
		}
		return nil, r.row, ie
	}
	r.row++
	line, _ := r.cr.FieldPos(0)
	if n := len(rec); n < len(r.header) || (n > len(r.header) && !allEmpty(rec[len(r.header):])) {
		return nil, r.row, &base.InputError{File: r.path, Row: r.row,
			Reason: fmt.Sprintf("has %d fields, the header has %d (line %d)", n, len(r.header), line)}
	}
	for i := range r.out {
		c := rec[i]
		if r.utf8 && !utf8.ValidString(c) {
			return nil, r.row, &base.InputError{File: r.path, Row: r.row, Column: r.header[i],
				Reason: fmt.Sprintf("%s (line %d)", latin1Hint, line)}
		}
		if r.trim {
			c = strings.TrimSpace(c)
		}
		r.out[i] = c
	}
	return r.out, r.row, nil
}

// parseReason describes a CSV syntax error by position only.
func parseReason(pe *csv.ParseError) string {
	r := fmt.Sprintf("malformed CSV at line %d, character %d", pe.Line, pe.Column)
	if pe.StartLine != pe.Line {
		r = fmt.Sprintf("malformed CSV in the row starting at line %d (line %d, character %d)", pe.StartLine, pe.Line, pe.Column)
	}
	if d := base.SafeDetail(pe.Err); d != "" {
		r += ": " + d
	}
	return r
}

// allEmpty reports whether every cell is empty: trailing delimiters that
// spreadsheets leave after the last column are not data.
func allEmpty(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (r *csvReader) Close() error { return r.f.Close() }
