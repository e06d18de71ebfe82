package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/welfare-district/swd/internal/testdirs"
	"github.com/welfare-district/swd/io/encfile"
)

// corpusRejection is one expected line of a rejects file.
type corpusRejection struct {
	row, line int
	column    string
	recordID  string
	reason    string // a part of the reason
	char      bool   // the character is given
}

// TestExportCorpus encodes each export of testdata/exports (see its
// README) as a partner's data officer would: for each it checks the exit
// status, the message (file, line, column; never a value) and that the
// data lines of the file equal the rows encoded plus the rows rejected.
func TestExportCorpus(t *testing.T) {
	schemaPath := repoPath(t, "docs/examples/synth/schema.yaml")
	dir := t.TempDir()
	secret := filepath.Join(dir, "k.secret")
	if code, _, stderr := runCLI(t, "keygen", "--out", secret); code != ExitOK {
		t.Fatalf("keygen: %d %s", code, stderr)
	}
	tests := []struct {
		file             string
		args             []string
		code             int
		encoded          int
		want, wantErr    []string // in stdout, in stderr
		rejects          []corpusRejection
		neverSeen        []string // values that must appear in no output
		noOutputs        bool
		lines, unchanged int
	}{
		{file: "upper_headers.csv", code: ExitOK, encoded: 24, lines: 24,
			want: []string{"24 data lines = 24 encoded + 0 rejected", "read as UTF-8 (detected)", "columns found under other names: codice_fiscale as CODICE_FISCALE, nome as NOME, cognome as COGNOME"}},
		{file: "italian_headers.csv", code: ExitOK, encoded: 24, lines: 24,
			want: []string{"24 data lines = 24 encoded + 0 rejected", "record_id as ID", "data_nascita as Data di nascita"}},
		{file: "excel_cp1252.csv", code: ExitOK, encoded: 24, lines: 24,
			want: []string{"read as Windows-1252 (detected), delimiter ';'", "24 data lines = 24 encoded + 0 rejected"}},
		{file: "excel_cp1252.csv", args: []string{"--encoding", "utf-8"}, code: ExitOK, encoded: 21, lines: 24,
			want: []string{"read as UTF-8, delimiter ';'", "24 data lines = 21 encoded + 3 rejected"},
			rejects: []corpusRejection{
				{row: 2, line: 3, column: "indirizzo", reason: "invalid UTF-8; if the file is Latin-1 or Windows-1252"},
				{row: 6, line: 7, column: "comune_nascita", reason: "invalid UTF-8"},
				{row: 16, line: 17, column: "nome", reason: "invalid UTF-8"},
			}},
		{file: "excel_utf8_bom.csv", code: ExitOK, encoded: 24, lines: 24,
			want: []string{"read as UTF-8 with BOM (detected), delimiter ';'", "24 data lines = 24 encoded + 0 rejected"}},
		{file: "stray_quote.csv", code: ExitOK, encoded: 23, lines: 24,
			want: []string{"24 data lines = 23 encoded + 1 rejected"},
			rejects: []corpusRejection{{row: 7, line: 8, column: "nome", recordID: "CAR-000007", char: true,
				reason: "a quote opens a value that is not closed on this line"}},
			neverSeen: []string{"Maria-Vittoria", "romano"}},
		{file: "duplicate_ids.csv", code: ExitOK, encoded: 22, lines: 24,
			want: []string{"24 data lines = 22 encoded + 2 rejected", "2 duplicate record ids"},
			rejects: []corpusRejection{
				{row: 10, line: 11, column: "record_id", recordID: "CAR-000003", reason: "duplicate record id: row 3 has the same id"},
				{row: 17, line: 18, column: "record_id", recordID: "CAR-000005", reason: "duplicate record id: row 5 has the same id"},
			}},
		{file: "empty_column.csv", code: ExitInput, noOutputs: true,
			wantErr: []string{"empty_column.csv: field surname (column cognome) is missing or invalid in 24 of 24 rows (100.0%)", "--allow-missing surname"}},
		{file: "empty_column.csv", args: []string{"--allow-missing", "surname"}, code: ExitOK, encoded: 24, lines: 24,
			want: []string{"24 data lines = 24 encoded + 0 rejected", "surname", "not collected"}},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%s %s", tt.file, strings.Join(tt.args, " ")), func(t *testing.T) {
			in := repoPath(t, filepath.Join("testdata/exports", tt.file))
			out := filepath.Join(dir, fmt.Sprintf("t%d.swd.parquet", i))
			rejects := filepath.Join(dir, fmt.Sprintf("t%d.rejects.csv", i))
			args := append([]string{"encode", "--schema", schemaPath, "--secret", secret, "--partner", "caritas",
				"--in", in, "--out", out}, tt.args...)
			code, stdout, stderr := runCLI(t, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("summary lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("error lacks %q:\n%s", w, stderr)
				}
			}
			if tt.noOutputs {
				for _, v := range fileValues(t, in) {
					if strings.Contains(stdout+stderr, v) {
						t.Errorf("the message shows a value of the file")
					}
				}
				for _, p := range []string{out, rejects} {
					if _, err := os.Stat(p); err == nil {
						t.Errorf("%s written by a refused run", p)
					}
				}
				return
			}
			if lines := dataLines(t, in); lines != tt.lines {
				t.Fatalf("%s has %d data lines, the test says %d", tt.file, lines, tt.lines)
			}
			got := readRejects(t, rejects)
			ds, err := encfile.Read(context.Background(), out)
			if err != nil {
				t.Fatal(err)
			}
			if ds.Len() != tt.encoded || ds.Meta.Rows != tt.encoded || ds.Meta.Rejected != len(got) {
				t.Errorf("the encoded file holds %d rows (meta: %d encoded, %d rejected), want %d encoded and %d rejected",
					ds.Len(), ds.Meta.Rows, ds.Meta.Rejected, tt.encoded, len(got))
			}
			if ds.Len()+len(got) != tt.lines {
				t.Errorf("%d encoded + %d rejected != %d data lines", ds.Len(), len(got), tt.lines)
			}
			if len(got) != len(tt.rejects) {
				t.Fatalf("rejects %v, want %d", got, len(tt.rejects))
			}
			for k, w := range tt.rejects {
				g := got[k]
				if g["row"] != fmt.Sprint(w.row) || g["line"] != fmt.Sprint(w.line) || g["column"] != w.column ||
					g["record_id"] != w.recordID || !strings.Contains(g["reason"], w.reason) || (g["character"] != "") != w.char {
					t.Errorf("reject %d = %v, want %+v", k, g, w)
				}
			}
			all := stdout + stderr + string(readBytes(t, rejects))
			for _, v := range append(fileValues(t, in), tt.neverSeen...) {
				if strings.Contains(all, v) {
					t.Errorf("an output shows the value %q", v)
				}
			}
		})
	}
}

// fileValues returns the values of an export's data lines that no output
// but the encoded file may hold (in an encoding): every field of at least
// four bytes, record ids aside (the rejects file names them, for the
// partner), as the file holds them and as UTF-8.
func fileValues(t *testing.T, path string) []string {
	t.Helper()
	data := readBytes(t, path)
	if !utf8.Valid(data) {
		var b strings.Builder
		for _, c := range data { // Windows-1252 agrees with Latin-1 on the letters of the corpus
			b.WriteRune(rune(c))
		}
		data = []byte(b.String())
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	delim := ","
	if strings.Count(lines[0], ";") > strings.Count(lines[0], ",") {
		delim = ";"
	}
	var out []string
	for _, l := range lines[1:] {
		for j, f := range strings.Split(l, delim) {
			f = strings.Trim(f, `" `)
			if j > 0 && len(f) >= 4 {
				out = append(out, f)
			}
		}
	}
	if len(out) < 50 {
		t.Fatalf("only %d values read from %s", len(out), path)
	}
	return out
}

// dataLines counts the lines of a CSV file after the header that are not
// blank.
func dataLines(t *testing.T, path string) int {
	t.Helper()
	n := 0
	for i, l := range bytes.Split(readBytes(t, path), []byte("\n")) {
		if i > 0 && len(bytes.TrimSpace(l)) > 0 {
			n++
		}
	}
	return n
}

// readRejects reads a rejects file as one map per line, by column name.
func readRejects(t *testing.T, path string) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(readBytes(t, path))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for j, h := range recs[0] {
			m[h] = r[j]
		}
		out = append(out, m)
	}
	return out
}

// TestLinkRefusesAFileWithoutIdentifyingFields: an export whose
// identifying columns are all empty encodes only when the partner says it
// collects none of them (--allow-missing for every field); swd link then
// refuses the file (exit status 3, naming the partner) rather than report
// each of its records as a household of its own.
func TestLinkRefusesAFileWithoutIdentifyingFields(t *testing.T) {
	dir, encoded, _ := publishFixture(t)
	secret := filepath.Join(dir, "secret.key")
	schemaPath := repoPath(t, "docs/examples/synth/schema.yaml")
	rows := testdirs.ReadCSV(t, filepath.Join(fixtureExports(t), "caritas.csv"))
	keep := map[string]bool{"record_id": true, "nucleo_id": true, "quartiere": true, "bisogni": true}
	for _, r := range rows[1:] {
		for j := range r {
			if !keep[rows[0][j]] {
				r[j] = ""
			}
		}
	}
	var b strings.Builder
	if err := csv.NewWriter(&b).WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "blank.csv")
	writeFile(t, in, b.String(), 0o644)
	out := filepath.Join(dir, "blank.swd.parquet")
	encode := []string{"encode", "--schema", schemaPath, "--secret", secret, "--partner", "sanvincenzo", "--in", in, "--out", out}
	if code, _, stderr := runCLI(t, encode...); code != ExitInput || !strings.Contains(stderr, "--allow-missing") {
		t.Fatalf("encode of an export without identifying values: exit %d: %s", code, stderr)
	}
	all := "fiscal_code,given_name,surname,sex,birth_date,birth_place,address,postcode,phone"
	if code, _, stderr := runCLI(t, append(encode, "--allow-missing", all)...); code != ExitOK {
		t.Fatalf("encode --allow-missing %s: exit %d: %s", all, code, stderr)
	}
	code, _, stderr := runCLI(t, "link", "--out", filepath.Join(dir, "l.parquet"), encoded[0], out)
	if code != ExitInput || !strings.Contains(stderr, `partner "sanvincenzo": none of its `+fmt.Sprint(len(rows)-1)+` records has any identifying field`) {
		t.Fatalf("link: exit %d: %s", code, stderr)
	}
	assertAbsent(t, filepath.Join(dir, "l.parquet"))
}
