package table

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
)

// canary is a cell value that must never appear in an error message.
const canary = "ZZCANARYZZ"

// readAll reads every row of r, returning the rows (copied) and the row
// errors; it fails the test on a fatal error or a broken numbering.
func readAll(t testing.TB, r Reader) (rows [][]string, errs []*base.InputError) {
	t.Helper()
	last := 0
	for {
		row, n, err := r.Next()
		if err == io.EOF {
			return rows, errs
		}
		if n != last+1 {
			t.Fatalf("row number %d after %d (err %v)", n, last, err)
		}
		last = n
		var ie *base.InputError
		switch {
		case errors.As(err, &ie):
			errs = append(errs, ie)
			for i := -1; i <= len(r.Header()); i++ { // the fuzzer's inputs too
				if c, ok := RejectedCellOf(r, i); !ok && c != "" {
					t.Fatalf("row %d: a cell %d given with ok false", n, i)
				}
			}
		case err != nil:
			t.Fatalf("fatal error: %v", err)
		default:
			if len(row) != len(r.Header()) {
				t.Fatalf("row %d has %d cells, header %d", n, len(row), len(r.Header()))
			}
			rows = append(rows, append([]string(nil), row...))
		}
	}
}

func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCSVRows(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		opts   Options
		header []string
		rows   [][]string
		errs   []string // expected row errors: "row N column reason-substring"
	}{
		{name: "plain", data: "a,b\n1,2\n3,4\n", header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}},
		{name: "header only", data: "a,b\n", header: []string{"a", "b"}},
		{name: "no final newline", data: "a,b\n1,2", header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "bom", data: "\ufeffa,b\n1,2\n", header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "crlf", data: "a,b\r\n1,2\r\n3,\"x\r\ny\"\r\n", header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "x\ny"}}},
		{name: "semicolon sniffed", data: "a;b;c\n1;2,5;3\n", header: []string{"a", "b", "c"}, rows: [][]string{{"1", "2,5", "3"}}},
		{name: "tab sniffed", data: "a\tb\n1\t\n", header: []string{"a", "b"}, rows: [][]string{{"1", ""}}},
		{name: "pipe sniffed", data: "a|b\n1|2\n", header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "quoted delimiter in header", data: "\"a,x\";b\n1;2\n", header: []string{"a,x", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "explicit delimiter", data: "a;b,c\n1;2,3\n", opts: Options{Delimiter: ','}, header: []string{"a;b", "c"}, rows: [][]string{{"1;2", "3"}}},
		{name: "febrl trim", data: "rec_id, given_name, surname\nrec-1-org, \"mario\", rossi \n", opts: Options{TrimSpace: true},
			header: []string{"rec_id", "given_name", "surname"}, rows: [][]string{{"rec-1-org", "mario", "rossi"}}},
		{name: "comment", data: "a,b\n# note\n1,2\n", opts: Options{Comment: '#'}, header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "sniff past comments and blank lines", data: "# export, 2026; v1\r\n\r\na;b\n1;2,5\n", opts: Options{Comment: '#'},
			header: []string{"a", "b"}, rows: [][]string{{"1", "2,5"}}},
		{name: "latin-1", data: "nome,citt\xe0\nNicol\xf2,Forl\xec\n", opts: Options{Encoding: "latin-1"},
			header: []string{"nome", "città"}, rows: [][]string{{"Nicolò", "Forlì"}}},
		{name: "windows-1252 quotes", data: "a\n\x93x\x94 \x80\n", opts: Options{Encoding: "windows-1252"}, header: []string{"a"}, rows: [][]string{{"“x” €"}}},
		{name: "unnamed index column", data: ",a\n0,x\n", header: []string{"_1", "a"}, rows: [][]string{{"0", "x"}}},
		{name: "trailing empty fields", data: "a,b\n1,2,,\n", header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "blank lines skipped", data: "a,b\n\n1,2\n\n", header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "multi-line cell numbering", data: "a,b\n1,\"x\n\ny\"\n2\n3,4\n", header: []string{"a", "b"},
			rows: [][]string{{"1", "x\n\ny"}, {"3", "4"}}, errs: []string{"row 2 (line 5): has 1 fields, the header has 2"}},
		{name: "ragged", data: "a,b,c\n1,2\n1,2,3," + canary + "\n1,2,3\n", header: []string{"a", "b", "c"},
			rows: [][]string{{"1", "2", "3"}}, errs: []string{"row 1 (line 2): has 2 fields", "row 2 (line 3): has 4 fields"}},
		{name: "invalid utf-8", data: "a,b\n1,\xe8" + canary + "\n2,ok\n", opts: Options{Encoding: "utf-8"}, header: []string{"a", "b"},
			rows: [][]string{{"2", "ok"}}, errs: []string{`row 1 (line 2): column "b": invalid UTF-8; if the file is Latin-1`}},
		{name: "auto: windows-1252", data: "nome,citt\xe0\nNicol\xf2,Forl\xec\n\x93x\x94,\x80\n", header: []string{"nome", "città"},
			rows: [][]string{{"Nicolò", "Forlì"}, {"“x”", "€"}}},
		{name: "auto: utf-8", data: "nome,città\nNicolò,Forlì\n", header: []string{"nome", "città"}, rows: [][]string{{"Nicolò", "Forlì"}}},
		{name: "auto: windows-1252 after many ASCII lines", data: "a,b\n" + strings.Repeat("x,y\n", 30000) + "Nicol\xf2,z\n",
			header: []string{"a", "b"}, rows: append(repeatRow(30000, "x", "y"), []string{"Nicolò", "z"})},
		{name: "auto: utf-8 file with a windows-1252 line", data: "a,b\nNicolò,x\nè,é\nNicol\xf2" + canary + ",y\n", header: []string{"a", "b"},
			rows: [][]string{{"Nicolò", "x"}, {"è", "é"}}, errs: []string{`row 3 (line 4): column "a": invalid UTF-8 in a file read as UTF-8`}},
		{name: "auto: windows-1252 file with a utf-8 line", data: "a,b\nNicol\xf2,x\n\xe8,\xe9\nNicolò" + canary + ",y\n", header: []string{"a", "b"},
			rows: [][]string{{"Nicolò", "x"}, {"è", "é"}}, errs: []string{`row 3 (line 4): column "a": the value is UTF-8 but the file was read as Windows-1252`}},
		{name: "bare quote", data: "a,b\n1,x\"" + canary + "\n2,y\n", header: []string{"a", "b"},
			rows: [][]string{{"2", "y"}}, errs: []string{`row 1 (line 2, character 4): column "b": a quote inside a value that does not start with a quote`}},
		{name: "bare quote after a multi-line cell", data: "a,b,c\n1,\"x\ny\",z\"" + canary + "\n2,y,z\n", header: []string{"a", "b", "c"},
			rows: [][]string{{"2", "y", "z"}}, errs: []string{`row 1 (line 2, character 3): column "b": a quote opens a value that is not closed on this line`,
				`row 2 (line 3, character 2): column "a": a quote inside a value`}},
		{name: "bare quote with semicolons", data: "a;b;c\n1;2;x\"" + canary + "\n", header: []string{"a", "b", "c"},
			errs: []string{`row 1 (line 2, character 6): column "c": a quote inside a value`}},
		{name: "stray quote in quoted field", data: "a,b\n1,\"x\"" + canary + "\"\n2,y\n", header: []string{"a", "b"},
			rows: [][]string{{"2", "y"}}, errs: []string{`row 1 (line 2, character 6): column "b": text after the closing quote`}},
		{name: "unterminated quote", data: "a,b\n1,\"" + canary + "\n2,y\n", header: []string{"a", "b"},
			rows: [][]string{{"2", "y"}}, errs: []string{`row 1 (line 2, character 3): column "b": a quote opens a value that is not closed on this line`}},
		{name: "stray opening quote swallows nothing", data: "a,b,c\n1,\"" + canary + ",x\n2,y,z\n3,\"q\",w\n4,v,u\n", header: []string{"a", "b", "c"},
			rows: [][]string{{"2", "y", "z"}, {"3", "q", "w"}, {"4", "v", "u"}}, errs: []string{`row 1 (line 2, character 3): column "b": a quote opens a value`}},
		{name: "stray quote that closes on a later line", data: "a,b,c\n1,\"" + canary + ",x\n2,y,z\"\n3,w,v\n", header: []string{"a", "b", "c"},
			rows: [][]string{{"3", "w", "v"}}, errs: []string{`row 1 (line 2, character 3): column "b": a quote opens a value`, `row 2 (line 3, character 6): column "c": a quote inside`}},
		{name: "quoted line break that fits the header", data: "a,b,c\n1,\"via Roma\n12\",x\n2,y,z\n", header: []string{"a", "b", "c"},
			rows: [][]string{{"1", "via Roma\n12", "x"}, {"2", "y", "z"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeTemp(t, "in.csv", []byte(tt.data))
			r, err := Open(p, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := strings.Join(r.Header(), "|"); got != strings.Join(tt.header, "|") {
				t.Fatalf("header %q want %q", got, tt.header)
			}
			rows, errs := readAll(t, r)
			if len(rows) != len(tt.rows) {
				t.Fatalf("rows %q want %q", rows, tt.rows)
			}
			for i := range rows {
				if strings.Join(rows[i], "|") != strings.Join(tt.rows[i], "|") {
					t.Fatalf("row %d = %q want %q", i, rows[i], tt.rows[i])
				}
			}
			if len(errs) != len(tt.errs) {
				t.Fatalf("errors %v want %v", errs, tt.errs)
			}
			for i, e := range errs {
				msg := e.Error()
				if !strings.Contains(msg, tt.errs[i]) || !strings.HasPrefix(msg, p+": row ") {
					t.Errorf("error %q does not contain %q", msg, tt.errs[i])
				}
				if strings.Contains(msg, canary) {
					t.Errorf("error leaks a cell value: %q", msg)
				}
				if !errors.Is(e, base.ErrInvalidInput) {
					t.Errorf("error not marked invalid input")
				}
			}
		})
	}
}

func TestCSVFileErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
		opts             Options
	}{
		{"empty", "", "empty file", Options{}},
		{"bom only", "\ufeff", "empty file", Options{}},
		{"blank first line", "\n\n", "empty file", Options{}},
		{"duplicate header", "a,b,a\n1,2,3\n", `column "a": duplicate column name (columns 1 and 3)`, Options{}},
		{"duplicate after trim", "a, a\n", `column "a": duplicate column name`, Options{}},
		{"utf-16", "\xff\xfea\x00", "UTF-16", Options{}},
		{"invalid utf-8 header", "n\xe8me," + canary + "\n", "try", Options{Encoding: "utf-8"}},
		{"bad header quote", "a\"" + canary + ",b\n", "line 1, character 2: malformed header", Options{}},
		{"blank header", "  \n1\n", "no header", Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeTemp(t, "in.csv", []byte(tt.data))
			r, err := Open(p, tt.opts)
			if err == nil {
				r.Close()
				t.Fatal("no error")
			}
			msg := err.Error()
			if !errors.Is(err, base.ErrInvalidInput) || !strings.HasPrefix(msg, p) {
				t.Fatalf("want an invalid-input error naming the file, got %v", err)
			}
			if tt.want == "try" {
				tt.want = "use --encoding latin-1"
			}
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, canary) {
				t.Fatalf("error %q: want %q and no cell value", msg, tt.want)
			}
		})
	}
}

func TestOpenUsage(t *testing.T) {
	p := writeTemp(t, "in.xlsx", []byte("a\n"))
	for _, opts := range []Options{{}, {Format: "excel"}, {Format: "csv", Encoding: "ebcdic"}, {Format: "csv", Delimiter: '"'}} {
		if _, err := Open(p, opts); !errors.Is(err, base.ErrUsage) {
			t.Errorf("%+v: want usage error, got %v", opts, err)
		}
	}
	if r, err := Open(p, Options{Format: "csv"}); err != nil {
		t.Errorf("explicit format: %v", err)
	} else {
		r.Close()
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.csv"), Options{}); !errors.Is(err, base.ErrInvalidInput) {
		t.Errorf("missing file: %v", err)
	}
}

// TestCSVLargeRowNumbers checks numbering and accounting over many rows with
// a mix of good and bad ones.
func TestCSVAccounting(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,x,y\n")
	bad := 0
	const n = 5000
	for i := 1; i <= n; i++ {
		switch i % 7 {
		case 0:
			b.WriteString("1,2\n")
			bad++
		case 3:
			b.WriteString("1,\"multi\nline\",3\n")
		case 5:
			b.WriteString("1,a\"b,3\n")
			bad++
		default:
			b.WriteString("1,2,3\n")
		}
	}
	r, err := Open(writeTemp(t, "in.csv", []byte(b.String())), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows, errs := readAll(t, r)
	if len(rows)+len(errs) != n || len(errs) != bad {
		t.Fatalf("%d rows + %d errors, want %d rows of which %d bad", len(rows), len(errs), n, bad)
	}
	for _, e := range errs {
		if e.Row%7 != 0 && e.Row%7 != 5 {
			t.Fatalf("error on row %d: %v", e.Row, e)
		}
	}
}

// FuzzCSVReader checks that the reader never panics, numbers rows 1..n
// without gaps, returns rows of header width, never fails fatally on
// in-memory data, and consumes the whole input: nothing is dropped silently.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "a;b\n1;\"x\ny\"\n", "a,b\n1,2,3\n\"", "\ufeffa\tb\n\xe8\t\"\n", "a,a\n", "",
		"a,b\r\n1,\"2\"\"\"\r\n", "a|b\n|\n||\n", "a,b\n1,\"x\"y\n2,3\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, latin1 bool) {
		p := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		opts := Options{}
		if latin1 {
			opts.Encoding = "latin-1"
		}
		r, err := Open(p, opts)
		if err != nil {
			if !errors.Is(err, base.ErrInvalidInput) {
				t.Fatalf("open: error not marked invalid input: %v", err)
			}
			return
		}
		defer r.Close()
		rows, errs := readAll(t, r)
		cr := r.(*csvReader)
		if got := len(rows) + len(errs); got != cr.row {
			t.Fatalf("accounting: %d rows + %d errors != %d", len(rows), len(errs), cr.row)
		}
		info, _ := TextInfoOf(r)
		if info.Lines-info.ExtraLines != cr.row {
			t.Fatalf("accounting: %d data lines (%d continuing a row) for %d rows", info.Lines, info.ExtraLines, cr.row)
		}
		if !cr.eof || len(cr.lines) != 0 {
			t.Fatalf("input not consumed to the end")
		}
	})
}

func repeatRow(n int, row ...string) [][]string {
	out := make([][]string, n)
	for i := range out {
		out[i] = row
	}
	return out
}

// TestStrayQuoteCostsOneLine inserts one quote at a random place of one line
// of a well-formed export (with quoted values holding delimiters and
// doubled quotes): exactly that line is rejected, every other line reads
// as it was, and the data lines equal the rows returned.
func TestStrayQuoteCostsOneLine(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"Rossi", "D'Angelo", "via Roma, 12", `il "Moro"`, "", "Nicolò", "35121"}
	for trial := 0; trial < 300; trial++ {
		nLines, nCols := 5+rng.IntN(30), 2+rng.IntN(5)
		var lines []string
		var want [][]string
		for i := 0; i < nLines; i++ {
			var cells, raw []string
			for j := 0; j < nCols; j++ {
				w := words[rng.IntN(len(words))]
				cells = append(cells, w)
				if strings.ContainsAny(w, `,"`) || rng.IntN(4) == 0 {
					w = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
				}
				raw = append(raw, w)
			}
			want = append(want, cells)
			lines = append(lines, strings.Join(raw, ","))
		}
		bad := rng.IntN(nLines)
		pos := rng.IntN(len(lines[bad]) + 1)
		lines[bad] = lines[bad][:pos] + `"` + lines[bad][pos:]
		header := make([]string, nCols)
		for j := range header {
			header[j] = fmt.Sprintf("c%d", j)
		}
		data := strings.Join(header, ",") + "\n" + strings.Join(lines, "\r\n") + "\n"
		r, err := Open(writeTemp(t, "in.csv", []byte(data)), Options{Delimiter: ','})
		if err != nil {
			t.Fatal(err)
		}
		rows, errs := readAll(t, r)
		info, _ := TextInfoOf(r)
		r.Close()
		if len(errs) != 1 || errs[0].Row != bad+1 || errs[0].Line != bad+2 {
			t.Fatalf("trial %d: quote at %d of line %d (%q): errors %v", trial, pos, bad+2, lines[bad], errs)
		}
		if info.Lines != nLines || info.ExtraLines != 0 || len(rows)+len(errs) != nLines {
			t.Fatalf("trial %d: %d lines, %d rows, %d errors", trial, info.Lines, len(rows), len(errs))
		}
		want = append(want[:bad], want[bad+1:]...)
		for i := range rows {
			if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
				t.Fatalf("trial %d: row %q want %q", trial, rows[i], want[i])
			}
		}
	}
}
