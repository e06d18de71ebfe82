package encoding

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
)

// TestBindHeaderSpellings: the header names real exports use find the
// schema's columns whatever their case, accents, blanks and punctuation,
// and through the schema's aliases.
func TestBindHeaderSpellings(t *testing.T) {
	y := testSchema + `
input:
  aliases:
    data_nascita: ["Data di nascita", dt_nascita]
    cognome: [surname]
`
	e := newTestEncoder(t, y, testSecret(1))
	upper := make([]string, len(testHeader))
	for i, h := range testHeader {
		upper[i] = strings.ToUpper(h)
	}
	upper[0] = "record_id"
	tests := []struct {
		name    string
		header  []string
		renamed string // "column=header" of one renamed column to check
	}{
		{"upper case", upper, "cognome=COGNOME"},
		{"padded and spaced", replaceAt(testHeader, 3, " Nome "), "nome=Nome"},
		{"alias with blanks and case", replaceAt(testHeader, 6, "DATA DI NASCITA"), "data_nascita=DATA DI NASCITA"},
		{"alias folded", replaceAt(testHeader, 6, "Dt-Nascita"), "data_nascita=Dt-Nascita"},
		{"accents", replaceAt(testHeader, 4, "Cógnome"), "cognome=Cógnome"},
		{"other alias", replaceAt(testHeader, 4, "SURNAME"), "cognome=SURNAME"},
	}
	want := encodeAllHeader(t, e, testHeader, sampleRows())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := e.Bind(tt.header)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Absent) != 0 {
				t.Fatalf("absent %v", b.Absent)
			}
			col, hdr, _ := strings.Cut(tt.renamed, "=")
			found := false
			for _, m := range b.Renamed {
				found = found || m.Column == col && m.Header == hdr
			}
			if !found {
				t.Errorf("renamed %v, want %s", b.Renamed, tt.renamed)
			}
			if got := encodeAllHeader(t, e, tt.header, sampleRows()); !datasetsEqual(got, want) {
				t.Error("encodings differ from those of the exact header")
			}
		})
	}
}

func replaceAt(h []string, i int, name string) []string {
	out := append([]string(nil), h...)
	out[i] = name
	return out
}

func encodeAllHeader(t *testing.T, e *Encoder, header []string, rows [][]string) *Dataset {
	t.Helper()
	d, _, _, err := e.EncodeDataset(context.Background(), header, rows)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestBindAmbiguousHeader(t *testing.T) {
	e := newTestEncoder(t, testSchema, testSecret(1))
	h := append(append([]string(nil), testHeader...), "NOME")
	h[3] = "Nome"
	_, err := e.Bind(h)
	var ie *base.InputError
	if !errors.As(err, &ie) || ie.Column != "nome" || !strings.Contains(err.Error(), `"Nome" (column 4) and "NOME" (column 14)`) {
		t.Fatalf("two columns that could be nome: %v", err)
	}
	// An exact name wins over other spellings.
	h[3] = "nome"
	if _, err := e.Bind(h); err != nil {
		t.Fatalf("exact name beside another spelling: %v", err)
	}
}

func TestSchemaAliasErrors(t *testing.T) {
	for _, tt := range []struct{ aliases, want string }{
		{"{nonesuch: [x]}", `"nonesuch", which is not a column the schema reads`},
		{"{nome: [COGNOME]}", `would also match column "cognome"`},
		{"{nome: [x], cognome: [X]}", `would also match`},
		{`{nome: [" - "]}`, "an empty alias"},
	} {
		t.Run(tt.aliases, func(t *testing.T) {
			_, err := parseSchema(testSchema + "input:\n  aliases: " + tt.aliases + "\n")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}
