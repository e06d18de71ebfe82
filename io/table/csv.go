package table

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/welfare-district/swd/internal/base"
)

const latin1Hint = "invalid UTF-8; if the file is Latin-1 or Windows-1252, use --encoding latin-1 (or auto)"

// Bounds of one CSV record. A quoted value may hold line breaks (a cell
// with Alt+Enter in a spreadsheet), but a stray quote would otherwise make
// the rest of the file one value: a quote that is not closed within
// maxRecordLines lines or maxRecordBytes bytes is a malformed line.
const (
	maxRecordLines = 100
	maxRecordBytes = 1 << 20
	maxLineBytes   = 16 << 20
)

// TextInfo says how a text (CSV) table was read. It is complete once Next
// has returned io.EOF.
type TextInfo struct {
	// Charset is the character set the file was read in: CharsetUTF8,
	// CharsetUTF8BOM, CharsetWindows1252, or CharsetASCII when the file has
	// no byte above 0x7F (then UTF-8 and Windows-1252 read the same).
	Charset string
	// Detected is true when the charset was detected (Options.Encoding
	// "auto" or empty) rather than given.
	Detected bool
	// Delimiter is the field delimiter used (given or sniffed).
	Delimiter rune
	// Lines counts the data lines: every line after the header that is
	// neither blank nor a comment, plus the blank lines inside quoted
	// values. Every data line belongs to exactly one row that Next returned
	// (a good row or a row error), so Lines = rows + MultiLine extra lines.
	Lines int
	// ExtraLines counts the lines that continue a row whose quoted value
	// spans lines (0 in files without line breaks inside values): rows
	// returned = Lines - ExtraLines.
	ExtraLines int
}

// TextInfoOf returns how r read its file, when r reads a text file.
func TextInfoOf(r Reader) (TextInfo, bool) {
	if c, ok := r.(*csvReader); ok {
		return c.info, true
	}
	return TextInfo{}, false
}

// LineOf returns the 1-based line of a text file where the row last
// returned by r.Next starts, or 0 when r does not read a text file.
func LineOf(r Reader) int {
	if c, ok := r.(interface{ Line() int }); ok {
		return c.Line()
	}
	return 0
}

// RejectedCellOf returns cell i of the row last rejected by r.Next for its
// syntax, when r reads a text file and the cell can still be read for
// certain (see csvReader.RejectedCell); ok is false otherwise. Only for a
// rejects file's record id: never put the value in a message.
func RejectedCellOf(r Reader, i int) (string, bool) {
	if c, ok := r.(interface{ RejectedCell(int) (string, bool) }); ok {
		return c.RejectedCell(i)
	}
	return "", false
}

// Line is the 1-based line where the row last returned by Next starts.
func (r *csvReader) Line() int { return r.last }

// physLine is one line of the file, without its line break.
type physLine struct {
	text []byte
	no   int // 1-based line number
}

// csvReader reads CSV one physical line at a time. A record is parsed from
// the lines it spans; when it is malformed, only its first line is
// rejected and parsing starts again on the next line, so a stray quote
// costs one row, never the rows after it.
type csvReader struct {
	path     string
	f        *os.File
	br       *bufio.Reader
	delim    byte
	comment  byte
	trim     bool // trim white space around cells
	trimLead bool // skip white space before an opening quote
	cs       charset
	explicit bool // the charset was given, not detected
	header   []string
	out      []string

	lines  []physLine // read ahead, not yet consumed
	spare  [][]byte   // buffers of consumed lines, for reuse
	lineNo int        // lines read so far
	eof    bool

	buf  []byte // the current record's values, unquoted
	ends []int  // end offset in buf of each value
	// open is where the first quoted value that runs past the record's
	// first line opens: its character and field.
	openChar, openField int

	// rejected describes the last row Next rejected for its syntax (see
	// RejectedCell): its first line, as read, and the problem.
	rejected     []byte
	rejectedProb *problem

	row  int
	last int   // line where the last row starts
	err  error // sticky fatal error
	info TextInfo
}

func openCSV(path string, f *os.File, opts Options, cs charset) (Reader, error) {
	br := bufio.NewReaderSize(f, 1<<16)
	bom, err := skipBOM(path, br)
	if err != nil {
		return nil, err
	}
	if opts.Comment >= utf8.RuneSelf {
		return nil, base.Usagef("the CSV comment character must be ASCII, not %q", opts.Comment)
	}
	delim := opts.Delimiter
	if delim == 0 {
		delim = sniffDelimiter(br, opts.Comment)
	}
	if delim == '"' || delim == '\r' || delim == '\n' || delim == 0 || delim >= utf8.RuneSelf || delim == opts.Comment {
		return nil, base.Usagef("invalid CSV delimiter %q (one ASCII character other than a quote or a line break)", delim)
	}
	r := &csvReader{path: path, f: f, br: br, delim: byte(delim), comment: byte(opts.Comment), trim: opts.TrimSpace,
		// Skipping space before a quote lets `a, "b"` parse as a quoted
		// field, but would swallow empty fields when the delimiter is
		// itself white space.
		trimLead: opts.TrimSpace && delim != '\t' && delim != ' ',
		cs:       cs, explicit: cs != charsetAuto}
	r.info.Delimiter, r.info.Detected = delim, !r.explicit
	switch {
	case bom && cs != charset1252:
		r.cs = charsetUTF8
		r.info.Charset = CharsetUTF8BOM
	case cs == charsetUTF8:
		r.info.Charset = CharsetUTF8
	case cs == charset1252:
		r.info.Charset = CharsetWindows1252
	}
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	return r, nil
}

// skipBOM drops a UTF-8 byte order mark, reporting whether there was one,
// and refuses UTF-16 files, which would otherwise read as a single garbled
// column.
func skipBOM(path string, br *bufio.Reader) (bool, error) {
	b, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
		return true, nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return false, invalidFile(path, "file is UTF-16; save it as UTF-8 (or Latin-1) CSV", nil)
	}
	return false, nil
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

// readLine appends the next line of the file to r.lines; false at the end.
func (r *csvReader) readLine() (bool, error) {
	if r.eof {
		return false, nil
	}
	var text []byte
	if n := len(r.spare); n > 0 {
		text, r.spare = r.spare[n-1][:0], r.spare[:n-1]
	}
	for {
		chunk, err := r.br.ReadSlice('\n')
		text = append(text, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(text) > maxLineBytes {
				return false, invalidFile(r.path, fmt.Sprintf("line %d is longer than %d MiB: is this a CSV file?", r.lineNo+1, maxLineBytes>>20), nil)
			}
			continue
		}
		if errors.Is(err, io.EOF) {
			r.eof = true
			if len(text) == 0 {
				r.spare = append(r.spare, text)
				return false, nil
			}
			break
		}
		if err != nil {
			return false, fmt.Errorf("reading %s: %s", r.path, base.SafeDetail(err))
		}
		break
	}
	text = bytes.TrimSuffix(bytes.TrimSuffix(text, []byte{'\n'}), []byte{'\r'})
	r.lineNo++
	if r.cs == charsetAuto && !isASCII(text) {
		r.decide(text)
	}
	r.lines = append(r.lines, physLine{text: text, no: r.lineNo})
	return true, nil
}

// decide fixes the charset from the first line with non-ASCII bytes and
// what the read buffer holds after it.
func (r *csvReader) decide(line []byte) {
	ahead, _ := r.br.Peek(r.br.Buffered())
	sample := make([]byte, 0, len(line)+1+len(ahead))
	sample = append(append(append(sample, line...), '\n'), ahead...)
	r.cs = sniffCharset(sample)
	r.info.Charset = CharsetUTF8
	if r.cs == charset1252 {
		r.info.Charset = CharsetWindows1252
	}
}

// more makes sure r.lines holds index i; false at the end of the file.
func (r *csvReader) more(i int) (bool, error) {
	for len(r.lines) <= i {
		ok, err := r.readLine()
		if !ok || err != nil {
			return false, err
		}
	}
	return true, nil
}

// consume drops the first n lines of r.lines, keeping their buffers.
func (r *csvReader) consume(n int) {
	for _, l := range r.lines[:n] {
		r.spare = append(r.spare, l.text)
	}
	k := copy(r.lines, r.lines[n:])
	clear(r.lines[k:])
	r.lines = r.lines[:k]
}

// skipToRecord drops blank and comment lines before the next record;
// false at the end of the file.
func (r *csvReader) skipToRecord() (bool, error) {
	for {
		ok, err := r.more(0)
		if !ok || err != nil {
			return false, err
		}
		t := r.lines[0].text
		if len(t) > 0 && (r.comment == 0 || t[0] != r.comment) {
			return true, nil
		}
		r.consume(1)
	}
}

// problem is a syntax error on the first line of a record: the 1-based
// character and the field.
type problem struct {
	char, field int
	reason      string
}

const (
	reasonUnclosed = "a quote opens a value that is not closed on this line (a stray quote?); the line is rejected on its own"
	reasonAfter    = "text after the closing quote of a quoted value (a stray quote? inside a quoted value write a quote twice)"
	reasonBare     = "a quote inside a value that does not start with a quote (a stray quote? quote the whole value and write the quote twice)"
)

// parse splits the record that starts at r.lines[0] into r.buf and r.ends,
// reading more lines while a quoted value is open. It returns the number of
// lines the record spans, or the first syntax error.
func (r *csvReader) parse() (int, *problem, error) {
	r.buf, r.ends = r.buf[:0], r.ends[:0]
	r.openChar = 0
	li, line := 0, r.lines[0].text
	if bytes.IndexByte(line, '"') < 0 {
		r.split(line)
		return 1, nil, nil
	}
	i := 0
	for field := 0; ; field++ {
		if r.trimLead {
			i = skipBlank(line, i)
		}
		if i < len(line) && line[i] == '"' {
			quoteChar := i + 1
			i++
			for {
				j := bytes.IndexByte(line[i:], '"')
				if j >= 0 {
					r.buf = append(r.buf, line[i:i+j]...)
					i += j + 1
					if i < len(line) && line[i] == '"' {
						r.buf = append(r.buf, '"')
						i++
						continue
					}
					break
				}
				r.buf = append(r.buf, line[i:]...)
				if li == 0 {
					r.openChar, r.openField = quoteChar, field
				}
				ok, err := r.more(li + 1)
				if err != nil {
					return 0, nil, err
				}
				if !ok || li+1 >= maxRecordLines || len(r.buf) > maxRecordBytes {
					return 0, r.blame(1, nil), nil
				}
				li++
				line, i = r.lines[li].text, 0
				r.buf = append(r.buf, '\n')
			}
			if r.trim {
				i = skipBlank(line, i)
			}
			if i < len(line) && line[i] != r.delim {
				return 0, r.blame(li, &problem{char: i + 1, field: field, reason: reasonAfter}), nil
			}
		} else {
			end := len(line)
			if j := bytes.IndexByte(line[i:], r.delim); j >= 0 {
				end = i + j
			}
			if k := bytes.IndexByte(line[i:end], '"'); k >= 0 {
				return 0, r.blame(li, &problem{char: i + k + 1, field: field, reason: reasonBare}), nil
			}
			r.buf = append(r.buf, line[i:end]...)
			i = end
		}
		r.ends = append(r.ends, len(r.buf))
		if i >= len(line) {
			return li + 1, nil, nil
		}
		i++ // the delimiter
	}
}

// blame returns p, a problem found on line li of the record, when li is
// its first line; past the first line the quote that ran on from the first
// line is to blame (a stray quote), and only that line is malformed.
func (r *csvReader) blame(li int, p *problem) *problem {
	if li == 0 {
		return p
	}
	return &problem{char: r.openChar, field: r.openField, reason: reasonUnclosed}
}

// split is parse for a line without quotes.
func (r *csvReader) split(line []byte) {
	for {
		j := bytes.IndexByte(line, r.delim)
		if j < 0 {
			r.buf = append(r.buf, line...)
			r.ends = append(r.ends, len(r.buf))
			return
		}
		r.buf = append(r.buf, line[:j]...)
		r.ends = append(r.ends, len(r.buf))
		line = line[j+1:]
	}
}

func skipBlank(line []byte, i int) int {
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return i
}

func (r *csvReader) readHeader() error {
	ok, err := r.skipToRecord()
	if err != nil {
		return err
	}
	if !ok {
		return invalidFile(r.path, "empty file (no header)", nil)
	}
	no := r.lines[0].no
	n, p, err := r.parse()
	if err != nil {
		return err
	}
	if p != nil {
		return &base.InputError{File: r.path, Line: no, Char: p.char, Reason: "malformed header: " + p.reason}
	}
	r.consume(n)
	header := make([]string, len(r.ends))
	for i := range r.ends {
		h, bad := r.cell(i)
		if bad != "" {
			return &base.InputError{File: r.path, Line: no, Reason: fmt.Sprintf("header column %d: %s", i+1, bad)}
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

// cell returns value i of the parsed record as UTF-8 text, or why it
// cannot be read in the file's charset.
func (r *csvReader) cell(i int) (string, string) {
	start := 0
	if i > 0 {
		start = r.ends[i-1]
	}
	return r.decode(r.buf[start:r.ends[i]])
}

// decode returns b as UTF-8 text, or why it cannot be read in the file's
// charset.
func (r *csvReader) decode(b []byte) (string, string) {
	if isASCII(b) {
		return string(b), ""
	}
	switch r.cs {
	case charset1252:
		if !r.explicit && utf8.Valid(b) {
			return "", "the value is UTF-8 but the file was read as Windows-1252 (its first accented characters are not UTF-8): the file mixes two encodings; give --encoding"
		}
		return decode1252(b), ""
	case charsetUTF8:
		if utf8.Valid(b) {
			return string(b), ""
		}
		if r.explicit {
			return "", latin1Hint
		}
		return "", "invalid UTF-8 in a file read as UTF-8 (its first accented characters are UTF-8): the file mixes two encodings; give --encoding"
	}
	return "", "internal error: charset undecided" // unreachable: non-ASCII bytes decide it
}

func (r *csvReader) Header() []string { return r.header }

// RejectedCell returns cell i of the row last rejected for its syntax (a
// stray quote), when it can still be read for certain: it is a cell
// before the one at fault, parsed before the problem was found, or a cell
// after it on a line whose quotes all lie between two delimiters, in the
// field at fault, and that has the header's number of fields when split
// at every delimiter (then no delimiter can be inside a quoted value, and
// the fields after the broken one are where a well-formed row would have
// them). ok is false otherwise: the cell at fault itself, a cell of a line
// whose quotes could hold a delimiter, a value the charset cannot read, or
// after any row that Next did not reject for its syntax. For the record id
// of a rejects file: the caller must not use it for any other cell.
func (r *csvReader) RejectedCell(i int) (string, bool) {
	p := r.rejectedProb
	if p == nil || i < 0 || i >= len(r.header) || i == p.field {
		return "", false
	}
	if i < p.field {
		if i >= len(r.ends) {
			return "", false
		}
		c, bad := r.cell(i)
		return r.trimmed(c), bad == ""
	}
	pieces := bytes.Split(r.rejected, []byte{r.delim})
	if len(pieces) < len(r.header) || p.field >= len(pieces) {
		return "", false
	}
	for _, extra := range pieces[len(r.header):] {
		if len(bytes.TrimSpace(extra)) != 0 {
			return "", false
		}
	}
	for k, piece := range pieces {
		if k != p.field && bytes.IndexByte(piece, '"') >= 0 {
			return "", false
		}
	}
	c, bad := r.decode(pieces[i])
	return r.trimmed(c), bad == ""
}

func (r *csvReader) Next() ([]string, int, error) {
	if r.err != nil {
		return nil, 0, r.err
	}
	ok, err := r.skipToRecord()
	if err != nil {
		r.err = err
		return nil, 0, err
	}
	if !ok {
		r.err = io.EOF
		if r.info.Charset == "" {
			r.info.Charset = CharsetASCII
		}
		return nil, 0, io.EOF
	}
	r.row++
	r.last = r.lines[0].no
	r.rejectedProb = nil
	n, p, err := r.parse()
	if err != nil {
		r.err = err
		return nil, 0, err
	}
	if p == nil && n > 1 && len(r.ends) != len(r.header) {
		// A quoted value ran on over the following lines and the result
		// does not fit the header: the quote was a stray one.
		p = r.blame(1, nil)
	}
	if p != nil {
		return nil, r.row, r.reject(p)
	}
	r.consume(n)
	r.info.Lines += n
	r.info.ExtraLines += n - 1
	if k := len(r.ends); k < len(r.header) || (k > len(r.header) && !r.extraEmpty()) {
		return nil, r.row, &base.InputError{File: r.path, Row: r.row, Line: r.last,
			Reason: fmt.Sprintf("has %d fields, the header has %d", k, len(r.header))}
	}
	if r.cs != charset1252 && utf8.Valid(r.buf) || isASCII(r.buf) {
		// One string for the whole row, the cells slices of it.
		whole, start := string(r.buf), 0
		for i := range r.out {
			r.out[i] = r.trimmed(whole[start:r.ends[i]])
			start = r.ends[i]
		}
		return r.out, r.row, nil
	}
	for i := range r.out {
		c, bad := r.cell(i)
		if bad != "" {
			return nil, r.row, &base.InputError{File: r.path, Row: r.row, Line: r.last, Column: r.header[i], Reason: bad}
		}
		r.out[i] = r.trimmed(c)
	}
	return r.out, r.row, nil
}

func (r *csvReader) trimmed(c string) string {
	if r.trim {
		return strings.TrimSpace(c)
	}
	return c
}

// reject consumes the first line of a malformed record and describes it.
func (r *csvReader) reject(p *problem) error {
	ie := &base.InputError{File: r.path, Row: r.row, Line: r.last, Char: p.char, Reason: p.reason}
	if p.field < len(r.header) {
		ie.Column = r.header[p.field]
	}
	r.rejected, r.rejectedProb = append(r.rejected[:0], r.lines[0].text...), p
	r.consume(1)
	r.info.Lines++
	return ie
}

// extraEmpty reports whether the values past the header's width are all
// empty: trailing delimiters that spreadsheets leave after the last column
// are not data.
func (r *csvReader) extraEmpty() bool {
	start := r.ends[len(r.header)-1]
	return len(bytes.TrimSpace(r.buf[start:])) == 0
}

func (r *csvReader) Close() error { return r.f.Close() }
