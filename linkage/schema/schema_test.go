package schema

import (
	"errors"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
)

const minimal = `
id_column: record_id
fields:
  - name: surname
    kind: name
    column: cognome
  - name: birth
    kind: date
    column: data_nascita
blocking:
  - name: sx_year
    parts: [soundex(surname), year(birth)]
attributes:
  - name: district
    column: quartiere
`

func mustParse(t *testing.T, y string) *Schema {
	t.Helper()
	s, err := Parse([]byte(y))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

func TestParseDefaults(t *testing.T) {
	s := mustParse(t, minimal)
	if s.CLK.Bits != DefaultCLKBits || !s.Input.TrimSpace || len(s.Input.MissingValues) == 0 {
		t.Errorf("schema defaults not filled: %+v", s)
	}
	sn := s.Field("surname")
	want := DefaultField(KindName)
	if sn.Bits != want.Bits || sn.K != want.K || sn.CLKK != want.CLKK || sn.Tokens != want.Tokens || sn.Normalize != want.Normalize {
		t.Errorf("name defaults: got %+v", sn)
	}
	if len(sn.Columns) != 1 || sn.Columns[0] != "cognome" || sn.Column != "" {
		t.Errorf("column shorthand not folded: %+v", sn.Columns)
	}
	b := s.Field("birth")
	if len(b.Formats) != 4 || !b.Tokens.Parts || !b.Tokens.Swap {
		t.Errorf("date defaults: %+v", b)
	}
	if s.Blocking[0].Bytes != DefaultBlockKeyBytes {
		t.Errorf("blocking bytes default: %d", s.Blocking[0].Bytes)
	}
}

func TestParseOverrides(t *testing.T) {
	s := mustParse(t, `
id_column: id
clk: {bits: 2048, hardening: {balance: true}}
fields:
  - name: dob
    kind: date
    columns: [dob]
    formats: ["20060102"]
    tokens: {swap: false}
    bits: 128
    k: 5
    clk_k: 0
  - name: given
    kind: name
    column: first
    tokens: {q: 3}
    normalize: {transliterate: false}
`)
	d := s.Field("dob")
	if len(d.Formats) != 1 || d.Formats[0] != "20060102" || d.Tokens.Swap || !d.Tokens.Parts || d.Bits != 128 || d.K != 5 || d.CLKK != 0 {
		t.Errorf("date overrides: %+v", d)
	}
	g := s.Field("given")
	if g.Tokens.Q != 3 || !g.Tokens.Padding || g.Normalize.Transliterate || !g.Normalize.Particles {
		t.Errorf("nested overrides must keep the other defaults: %+v", g)
	}
	if s.CLK.Bits != 2048 || !s.CLK.Hardening.Balance {
		t.Errorf("clk: %+v", s.CLK)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"empty", ``, "empty"},
		{"unknown key", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, bitz: 64}\n", "bitz"},
		{"no id", "fields:\n  - {name: a, kind: name, column: a}\n", "id_column"},
		{"no fields", "id_column: id\n", "no fields"},
		{"bad kind", "id_column: id\nfields:\n  - {name: a, kind: nme, column: a}\n", `field "a": unknown kind "nme"`},
		{"no column", "id_column: id\nfields:\n  - {name: a, kind: name}\n", `field "a": no source column`},
		{"bits", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, bits: 100}\n", `field "a": bits must be`},
		{"fold", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, bits: 64, hardening: {xor_fold: true}}\n", `field "a": after hardening`},
		{"blip", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, hardening: {blip: 0.7}}\n", "blip"},
		{"dup", "id_column: id\nfields:\n  - {name: a, kind: name, column: a}\n  - {name: a, kind: name, column: b}\n", `field "a": defined twice`},
		{"formats on name", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, formats: [x]}\n", "formats apply to date"},
		{"no clk", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, clk_k: 0}\n", "CLK"},
		{"salt unknown", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, salt: zz}\n", `salt names the unknown field "zz"`},
		{"bk field", "id_column: id\nfields:\n  - {name: a, kind: name, column: a}\nblocking:\n  - {name: k, parts: [soundex(b)]}\n", `blocking key "k"`},
		{"bk func", "id_column: id\nfields:\n  - {name: a, kind: name, column: a}\nblocking:\n  - {name: k, parts: [year(a)]}\n", "date fields"},
		{"bk bytes", "id_column: id\nfields:\n  - {name: a, kind: name, column: a}\nblocking:\n  - {name: k, parts: [a], bytes: 32}\n", "bytes"},
		{"attr", "id_column: id\nfields:\n  - {name: a, kind: name, column: a}\nattributes:\n  - {name: District, column: q}\n", "attribute"},
		{"both columns", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, columns: [b]}\n", "either column or columns"},
		{"oprf kind", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, oprf: true}\n", "oprf applies"},
		{"oprf part", "id_column: id\nfields:\n  - {name: a, kind: name, column: a}\n  - {name: cf, kind: fiscal_code, column: cf, oprf: true}\nblocking:\n  - {name: k, parts: [\"first(cf,6)\"]}\n", "only value(cf)"},
		{"precision", "id_column: id\nfields:\n  - {name: a, kind: date, column: a, normalize: {precision: week}}\n", "precision"},
		{"balance xor_fold", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, hardening: {balance: true, xor_fold: true}}\n", `field "a": hardening.balance and hardening.xor_fold together give a filter of all ones`},
		{"clk balance xor_fold", "id_column: id\nclk: {hardening: {balance: true, xor_fold: true}}\nfields:\n  - {name: a, kind: name, column: a}\n", "all ones"},
		{"salt year of a name", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, salt: year(b)}\n  - {name: b, kind: name, column: b}\n", `salt year(b) needs a date field`},
		{"salt year unknown", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, salt: year(zz)}\n", `salt names the unknown field "zz"`},
		{"max_missing above 1", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, max_missing: 1.5}\n", `field "a": max_missing is a share`},
		{"max_missing negative", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, max_missing: -0.1}\n", `max_missing is a share`},
		{"alias of an unknown column", "id_column: id\ninput: {aliases: {x: [y]}}\nfields:\n  - {name: a, kind: name, column: a}\n", `"x", which is not a column the schema reads (id, a)`},
		{"alias shared", "id_column: id\ninput: {aliases: {a: [z], b: [Z]}}\nfields:\n  - {name: a, kind: name, column: a}\n  - {name: b, kind: name, column: b}\n", `the alias "Z" of column "b" would also match column "a"`},
		{"columns folding alike", "id_column: id\nfields:\n  - {name: a, kind: name, column: data_nascita}\n  - {name: b, kind: name, column: DataNascita}\n", `differ only in case`},
		{"salt date of a name", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, salt: date(b)}\n  - {name: b, kind: name, column: b}\n", `salt date(b) needs a date field`},
		{"salt part unknown", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, salt: b, salt_part: month}\n  - {name: b, kind: date, column: b}\n", `salt_part must be year or date`},
		{"salt part without salt", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, salt_part: date}\n", `salt_part without a salt`},
		{"key unknown", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, key: zz}\n", `key names the unknown field "zz"`},
		{"key of another kind", "id_column: id\nfields:\n  - {name: a, kind: name, column: a}\n  - {name: b, kind: text, column: b, key: a}\n", `needs the two fields to have the same kind`},
		{"key of another size", "id_column: id\nfields:\n  - {name: a, kind: name, column: a}\n  - {name: b, kind: name, column: b, bits: 256, key: a}\n", `needs the two fields to have the same kind`},
		{"key chained", "id_column: id\nfields:\n  - {name: a, kind: name, column: a}\n  - {name: b, kind: name, column: b, key: a}\n  - {name: c, kind: name, column: c, key: b}\n", `itself keyed`},
		{"salt date contradicts part", "id_column: id\nfields:\n  - {name: a, kind: name, column: a, salt: date(b), salt_part: year}\n  - {name: b, kind: date, column: b}\n", `contradicts salt_part`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, base.ErrInvalidInput) {
				t.Errorf("error not marked invalid input: %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	base := mustParse(t, minimal).Fingerprint()
	if len(base) != 64 {
		t.Fatalf("fingerprint %q is not hex SHA-256", base)
	}
	same := map[string]string{
		"comments and layout":  "# a comment\n" + strings.ReplaceAll(minimal, "kind: name", "kind:   name   # surname"),
		"explicit defaults":    strings.Replace(minimal, "column: cognome", "column: cognome\n    bits: 512\n    k: 20", 1),
		"other source columns": strings.Replace(minimal, "column: cognome", "column: surname_col", 1),
		"other id column":      strings.Replace(minimal, "id_column: record_id", "id_column: id\npartner: acli", 1),
		"other date formats":   strings.Replace(minimal, "column: data_nascita", "column: dob\n    formats: ['20060102']", 1),
		"missing-share limit":  strings.Replace(minimal, "column: cognome", "column: cognome\n    max_missing: 0.9", 1),
		"aliases":              minimal + "input: {aliases: {cognome: [COGNOME_ASSISTITO]}}\n",
		"reordered fields": `
id_column: record_id
fields:
  - {name: birth, kind: date, column: data_nascita}
  - {name: surname, kind: name, column: cognome}
blocking:
  - {name: sx_year, parts: ["soundex( surname )", "year(birth)"]}
attributes:
  - {name: district, column: q}
`,
	}
	for name, y := range same {
		t.Run("same/"+name, func(t *testing.T) {
			if got := mustParse(t, y).Fingerprint(); got != base {
				t.Errorf("fingerprint changed")
			}
		})
	}
	differ := map[string]string{
		"bits":      strings.Replace(minimal, "column: cognome", "column: cognome\n    bits: 1024", 1),
		"k":         strings.Replace(minimal, "column: cognome", "column: cognome\n    k: 21", 1),
		"q":         strings.Replace(minimal, "column: cognome", "column: cognome\n    tokens: {q: 3}", 1),
		"clk bits":  minimal + "clk: {bits: 2048}\n",
		"hardening": minimal + "clk: {hardening: {balance: true}}\n",
		"kind":      strings.Replace(minimal, "kind: name", "kind: text", 1),
		"name":      strings.Replace(strings.Replace(minimal, "name: surname", "name: cognome", 1), "soundex(surname)", "soundex(cognome)", 1),
		"bk part":   strings.Replace(minimal, "year(birth)", "month(birth)", 1),
		"attr":      strings.Replace(minimal, "name: district", "name: quartiere", 1),
	}
	for name, y := range differ {
		t.Run("differ/"+name, func(t *testing.T) {
			if got := mustParse(t, y).Fingerprint(); got == base {
				t.Errorf("fingerprint did not change")
			}
		})
	}
}

func TestCanonicalRoundTrip(t *testing.T) {
	s := mustParse(t, minimal)
	again, err := Parse(s.Canonical())
	if err != nil {
		t.Fatalf("canonical form does not parse: %v", err)
	}
	if string(again.Canonical()) != string(s.Canonical()) || again.Fingerprint() != s.Fingerprint() {
		t.Error("canonical form is not a fixed point")
	}
}

func TestFingerprintOPRF(t *testing.T) {
	cf := strings.Replace(minimal, "    column: cognome", "    column: cognome\n  - {name: cf, kind: fiscal_code, column: cf}", 1)
	withOPRF := strings.Replace(cf, "column: cf}", "column: cf, oprf: true}", 1)
	if mustParse(t, cf).Fingerprint() == mustParse(t, withOPRF).Fingerprint() {
		t.Error("oprf does not change the fingerprint")
	}
}

// TestBalanceXORFoldRefused: balance then xor_fold folds F || NOT F into
// F XOR NOT F, all ones, so the schema is refused with a FieldError naming
// the field (or the CLK), and each option alone is accepted.
func TestBalanceXORFoldRefused(t *testing.T) {
	tests := []struct {
		name, hardening, section, field string
		ok                              bool
	}{
		{"field both", "hardening: {balance: true, xor_fold: true}", "field", "a", false},
		{"field balance", "hardening: {balance: true}", "", "", true},
		{"field xor_fold", "hardening: {xor_fold: true}", "", "", true},
		{"field both with blip", "hardening: {balance: true, xor_fold: true, blip: 0.05}", "field", "a", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := "id_column: id\nfields:\n  - {name: a, kind: name, column: a, " + tt.hardening + "}\n"
			_, err := Parse([]byte(y))
			if tt.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FieldError", err)
			}
			if fe.Section != tt.section || fe.Name != tt.field || !strings.Contains(fe.Problem, "all ones") {
				t.Errorf("FieldError %+v, want section %q, name %q, a problem naming all ones", fe, tt.section, tt.field)
			}
		})
	}
}

// TestSaltYear: salt: year(f) is the explicit spelling of a date field's
// salt (its year): it resolves to the field's name and gives the same
// fingerprint as salt: f.
func TestSaltYear(t *testing.T) {
	const tmpl = "id_column: id\nfields:\n  - {name: n, kind: name, column: n, salt: %s}\n  - {name: d, kind: date, column: d}\n"
	fps := map[string]string{}
	for _, salt := range []string{"d", "year(d)", "' year( d ) '"} {
		t.Run(salt, func(t *testing.T) {
			s, err := Parse([]byte(strings.Replace(tmpl, "%s", salt, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Field("n").Salt; got != "d" {
				t.Errorf("salt resolved to %q, want d", got)
			}
			fps[salt] = s.Fingerprint()
		})
	}
	if fps["d"] != fps["year(d)"] || fps["d"] != fps["' year( d ) '"] {
		t.Errorf("fingerprints differ: %v", fps)
	}
	plain, err := Parse([]byte("id_column: id\nfields:\n  - {name: n, kind: name, column: n}\n  - {name: d, kind: date, column: d}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if plain.Fingerprint() == fps["d"] {
		t.Error("salting does not change the fingerprint")
	}
}

func TestCanonicalKeepsReadingOptions(t *testing.T) {
	y := strings.Replace(minimal, "column: cognome", "column: cognome\n    max_missing: 0", 1) + "input: {aliases: {cognome: [surname]}}\n"
	s := mustParse(t, y)
	again, err := Parse(s.Canonical())
	if err != nil {
		t.Fatal(err)
	}
	if f := again.Field("surname"); f.MaxMissing == nil || *f.MaxMissing != 0 || f.MissingLimit() != 0 {
		t.Errorf("max_missing 0 lost in the canonical form")
	}
	if again.Field("birth").MissingLimit() != DefaultMaxMissing {
		t.Errorf("default limit %g", again.Field("birth").MissingLimit())
	}
	if a := again.Input.Aliases["cognome"]; len(a) != 1 || a[0] != "surname" {
		t.Errorf("aliases lost: %v", again.Input.Aliases)
	}
}

func TestFoldHeader(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"COGNOME", "cognome"}, {" Nome ", "nome"}, {"Data di nascita", "datadinascita"}, {"data_nascita", "datanascita"},
		{"DATA-NASCITA", "datanascita"}, {"Città", "citta"}, {"N. tel.", "ntel"}, {"\ufeffrecord_id", "recordid"}, {"---", ""},
	} {
		if got := FoldHeader(tt.in); got != tt.want {
			t.Errorf("FoldHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSaltDate: salt: date(f) salts with the whole date: it resolves to
// the field's name with SaltPart "date", equals the long spelling, and
// changes the fingerprint, so the linker never mixes year- and
// date-salted files; salt_part: year is the default spelt out.
func TestSaltDate(t *testing.T) {
	const tmpl = "id_column: id\nfields:\n  - {name: n, kind: name, column: n, %s}\n  - {name: d, kind: date, column: d}\n"
	parse := func(salt string) *Schema {
		t.Helper()
		s, err := Parse([]byte(strings.Replace(tmpl, "%s", salt, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	date, long := parse("salt: date(d)"), parse("salt: d, salt_part: date")
	year, yearLong := parse("salt: year(d)"), parse("salt: d, salt_part: year")
	if f := date.Field("n"); f.Salt != "d" || f.SaltPart != SaltPartDate {
		t.Errorf("salt %q part %q", f.Salt, f.SaltPart)
	}
	if date.Fingerprint() != long.Fingerprint() || year.Fingerprint() != yearLong.Fingerprint() {
		t.Error("spellings of one salt give different fingerprints")
	}
	if date.Fingerprint() == year.Fingerprint() {
		t.Error("date and year salts share a fingerprint")
	}
	// The canonical form (the file's metadata) parses back to the same.
	again, err := Parse(date.Canonical())
	if err != nil || again.Fingerprint() != date.Fingerprint() {
		t.Errorf("canonical form does not round-trip: %v", err)
	}
}

// TestWeakNameSalts: unsalted names and names salted with the year of a
// full date are flagged; the whole date, and the year of a year-only
// date (all there is), are not; other kinds are never flagged.
func TestWeakNameSalts(t *testing.T) {
	const tmpl = "id_column: id\nfields:\n  - {name: n, kind: name, column: n%s}\n  - {name: a, kind: address, column: a}\n" +
		"  - {name: d, kind: date, column: d}\n  - {name: y, kind: date, column: y, normalize: {precision: year}}\n"
	for _, tc := range []struct {
		salt string
		weak bool
	}{
		{"", true},
		{", salt: year(d)", true},
		{", salt: date(d)", false},
		{", salt: year(y)", false},
	} {
		s, err := Parse([]byte(strings.Replace(tmpl, "%s", tc.salt, 1)))
		if err != nil {
			t.Fatal(err)
		}
		got := s.WeakNameSalts()
		if (len(got) == 1) != tc.weak || len(got) > 1 || tc.weak && !strings.HasPrefix(got[0], "n: ") {
			t.Errorf("%q: %q", tc.salt, got)
		}
	}
}
