package synth

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 42)) }

// editDistance is the Damerau–Levenshtein (optimal string alignment)
// distance over runes.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range y {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

func TestTypoOperators(t *testing.T) {
	ops := []struct {
		name   string
		f      func(*rand.Rand, string) string
		length int // change of length in runes
	}{
		{"insert", typoInsert, +1},
		{"delete", typoDelete, -1},
		{"substitute", typoSubstitute, 0},
		{"transpose", typoTranspose, 0},
	}
	inputs := []string{"Rossi", "ZANELLA", "Nicolò", "D'Angelo", "Maria Grazia"}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			r := newRand(1)
			for _, in := range inputs {
				for range 50 {
					out := op.f(r, in)
					if out == in {
						t.Fatalf("%s(%q) changed nothing", op.name, in)
					}
					if d := editDistance(in, out); d != 1 {
						t.Fatalf("%s(%q) = %q: edit distance %d, want 1", op.name, in, out, d)
					}
					if got := utf8.RuneCountInString(out) - utf8.RuneCountInString(in); got != op.length {
						t.Fatalf("%s(%q) = %q: length change %d", op.name, in, out, got)
					}
				}
			}
			if got := op.f(r, ""); got != "" {
				t.Errorf("%s of empty string = %q", op.name, got)
			}
		})
	}
}

func TestTypoIsKeyboardAdjacent(t *testing.T) {
	r := newRand(2)
	for range 200 {
		out := []rune(typoSubstitute(r, "g"))
		if !slices.Contains([]rune("ftyhbv"), out[0]) {
			t.Fatalf("substitute of g gave %q, not a neighbouring key", string(out))
		}
		up := typoSubstitute(r, "G")
		if strings.ToUpper(up) != up {
			t.Fatalf("case not kept: %q", up)
		}
	}
}

func TestPhonetic(t *testing.T) {
	r := newRand(3)
	for _, in := range []string{"Zanella", "PETTENUZZO", "Gigliola", "Mohammed", "Zanon", "Khadija"} {
		for range 30 {
			out := phonetic(r, in)
			if out == in {
				t.Fatalf("phonetic(%q) changed nothing", in)
			}
			if d := editDistance(strings.ToLower(in), strings.ToLower(out)); d > 2 {
				t.Fatalf("phonetic(%q) = %q: too far (%d)", in, out, d)
			}
			if isUpperASCII(in) && !isUpperASCII(out) {
				t.Fatalf("phonetic(%q) = %q: case not kept", in, out)
			}
		}
	}
	if got := phonetic(r, "Ai"); got != "Ai" {
		t.Errorf("phonetic without a rule changed %q to %q", "Ai", got)
	}
}

func TestOCR(t *testing.T) {
	r := newRand(4)
	tests := []struct{ in, alphabet string }{
		{"RSSMRA85T10A562S", "0OI1S5B8Z2G6"},
		{"02/01/2006", "OZGIS"},
		{"BOSCOLO", "805"},
	}
	for _, tt := range tests {
		for range 30 {
			out := ocr(r, tt.in)
			if len([]rune(out)) != len([]rune(tt.in)) || editDistance(tt.in, out) != 1 {
				t.Fatalf("ocr(%q) = %q: want one substitution", tt.in, out)
			}
			for i, c := range []rune(out) {
				if c != []rune(tt.in)[i] && !strings.ContainsRune(tt.alphabet, c) {
					t.Fatalf("ocr(%q) = %q: %q is not an OCR confusion", tt.in, out, c)
				}
			}
		}
	}
	if got := ocr(r, "Anna"); got != "Anna" {
		t.Errorf("ocr changed %q with nothing confusable", got)
	}
}

func TestSwapDayMonth(t *testing.T) {
	d := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		in   time.Time
		want time.Time
		ok   bool
	}{
		{d(2006, 1, 2), d(2006, 2, 1), true},
		{d(1980, 12, 11), d(1980, 11, 12), true},
		{d(1980, 3, 3), d(1980, 3, 3), false},
		{d(1980, 3, 13), d(1980, 3, 13), false},
	}
	for _, tt := range tests {
		got, ok := swapDayMonth(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("swapDayMonth(%s) = %s, %v", tt.in.Format(time.DateOnly), got.Format(time.DateOnly), ok)
		}
	}
}

func TestDateVariant(t *testing.T) {
	r := newRand(5)
	birth := time.Date(2006, 1, 2, 0, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for range 300 {
		s := dateVariant(r, birth, "02/01/2006")
		if s == "02/01/2006" {
			t.Fatal("dateVariant returned the preferred format")
		}
		if _, err := parseAnyDate(s); err != nil {
			t.Fatalf("dateVariant gave %q, not a known format", s)
		}
		seen[s] = true
	}
	for _, want := range []string{"2006-01-02", "02-01-2006", "02.01.2006", "2/1/2006"} {
		if !seen[want] {
			t.Errorf("variant %q never produced", want)
		}
	}
}

// parseAnyDate parses the formats the generator writes.
func parseAnyDate(s string) (time.Time, error) {
	var err error
	for _, l := range append(append([]string{}, dateLayouts...), looseLayouts...) {
		var t time.Time
		if t, err = time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

func TestNameVariants(t *testing.T) {
	table := mustData().translit
	tests := []struct {
		name string
		f    func(*rand.Rand, string) string
		in   string
		want []string // every output must be one of these
	}{
		{"particle apostrophe", particle, "D'Angelo", []string{"DAngelo", "Dangelo", "D Angelo", "D' Angelo", "D’Angelo"}},
		{"particle space", particle, "De Luca", []string{"DeLuca", "Deluca", "De' Luca", "De-Luca"}},
		{"particle none", particle, "Rossi", []string{"Rossi"}},
		{"accent", accent, "Nicolò", []string{"Nicolo", "Nicolo'", "Nicoló"}},
		{"accent capitals", accent, "NICOLÒ", []string{"NICOLO", "NICOLO'", "NICOLÓ"}},
		{"accent none", accent, "Luca", []string{"Luca"}},
		{"compound split", compound, "Maria Grazia", []string{"Mariagrazia", "Maria-Grazia", "Maria"}},
		{"compound joined", compound, "Mariagrazia", []string{"Maria Grazia"}},
		{"compound none", compound, "Mario", []string{"Mario"}},
		{"translit", func(r *rand.Rand, s string) string { return translit(r, s, table) }, "Mohamed",
			[]string{"Mohammed", "Muhammad", "Mohammad", "Mohamad", "Muhammed"}},
		{"translit capitals", func(r *rand.Rand, s string) string { return translit(r, s, table) }, "OLEKSANDR",
			[]string{"ALEKSANDR", "ALEXANDER", "ALEXANDR", "OLEXANDR"}},
		{"translit none", func(r *rand.Rand, s string) string { return translit(r, s, table) }, "Giovanni", []string{"Giovanni"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRand(6)
			seen := map[string]bool{}
			for range 200 {
				out := tt.f(r, tt.in)
				if !slices.Contains(tt.want, out) {
					t.Fatalf("%q → %q, want one of %q", tt.in, out, tt.want)
				}
				seen[out] = true
			}
			if len(tt.want) > 1 && len(seen) < 2 {
				t.Errorf("only %v produced", seen)
			}
		})
	}
}

func TestCaseVariant(t *testing.T) {
	r := newRand(7)
	for _, in := range []string{"Maria Grazia", "ROSSI", "d'angelo"} {
		out := caseVariant(r, in)
		if out == in || !strings.EqualFold(out, in) {
			t.Errorf("caseVariant(%q) = %q", in, out)
		}
	}
	for in, want := range map[string]string{
		"MARIA GRAZIA":                  "Maria Grazia",
		"D'ANGELO-ROSSI":                "D'Angelo-Rossi",
		"DE LUCA":                       "De Luca",
		"PIOVE DI SACCO":                "Piove di Sacco",
		"QUARTO D'ALTINO":               "Quarto d'Altino",
		"SANT'ANGELO DI PIOVE DI SACCO": "Sant'Angelo di Piove di Sacco",
		"REGGIO NELL'EMILIA":            "Reggio nell'Emilia",
		"SAN GIORGIO DELLE PERTICHE":    "San Giorgio delle Pertiche",
		"FORLÌ":                         "Forlì",
	} {
		if got := titleCase(in); got != want {
			t.Errorf("titleCase(%q) = %q, want %q", in, got, want)
		}
	}
	for _, tt := range []struct {
		in    string
		upper bool
		want  string
	}{
		{"Via VIII Febbraio", false, "Via VIII Febbraio"},
		{"Via VIII Febbraio", true, "VIA VIII FEBBRAIO"},
		{"PADOVA", false, "Padova"},
		{"Dela Cruz", false, "Dela Cruz"},
	} {
		if got := houseStyle(tt.in, tt.upper); got != tt.want {
			t.Errorf("houseStyle(%q, %v) = %q", tt.in, tt.upper, got)
		}
	}
}

func TestFiscalCodeCorruptions(t *testing.T) {
	r := newRand(8)
	const cf = "RSSMRA85T10A562S"
	for range 200 {
		out := cfMistype(r, cf)
		if out == cf || len(out) != len(cf) || editDistance(cf, out) != 1 {
			t.Fatalf("cfMistype gave %q", out)
		}
	}
	if got := cfSpaced(cf); got != "RSS MRA 85T10 A562S" {
		t.Errorf("cfSpaced = %q", got)
	}
}

func TestAddressVariant(t *testing.T) {
	r := newRand(9)
	want := []string{"Via Roma, 12", "V. Roma 12", "Via Roma n. 12", "Roma 12"}
	seen := map[string]bool{}
	for range 100 {
		out := addressVariant(r, "Via Roma", "12")
		if !slices.Contains(want, out) {
			t.Fatalf("addressVariant = %q", out)
		}
		seen[out] = true
	}
	if len(seen) != len(want) {
		t.Errorf("variants seen: %v", seen)
	}
	if got := addressVariant(r, "Prato della Valle", "1"); got == "Prato della Valle 1" {
		t.Errorf("no variant for a street without Via")
	}
}

func TestFormatPhone(t *testing.T) {
	tests := []struct {
		digits string
		style  int
		want   string
	}{
		{"3471234567", 0, "+39 347 1234567"},
		{"3471234567", 1, "3471234567"},
		{"0498765432", 2, "049 8765432"},
		{"0498765432", 3, "049-8765432"},
		{"3471234567", 4, "+393471234567"},
		{"3471234567", 5, "0039 3471234567"},
		{"", 0, ""},
	}
	for _, tt := range tests {
		if got := formatPhone(tt.digits, tt.style); got != tt.want {
			t.Errorf("formatPhone(%q, %d) = %q, want %q", tt.digits, tt.style, got, tt.want)
		}
	}
}

func TestRatesScale(t *testing.T) {
	if RatesFor(LevelNone, 1) != (Rates{}) {
		t.Error("level none has non-zero rates")
	}
	low, high := RatesFor(LevelLow, 1), RatesFor(LevelHigh, 1)
	if high.Typo != 4*low.Typo || low != LowRates {
		t.Errorf("rates do not scale: low %v high %v", low.Typo, high.Typo)
	}
	if RatesFor(LevelHigh, 10).Particle != 0.9 {
		t.Error("rates not capped")
	}
}

// FuzzOperators: no operator panics, and every output is valid UTF-8, on
// any input.
func FuzzOperators(f *testing.F) {
	for _, s := range []string{"D'Angelo", "Nicolò", "Maria Grazia", "Mariagrazia", "Mohamed", "RSSMRA85T10A562S", "", "ß", "İstanbul", "Ţ'’ -"} {
		f.Add(s, uint64(1))
	}
	table := mustData().translit
	f.Fuzz(func(t *testing.T, s string, seed uint64) {
		if !utf8.ValidString(s) {
			return
		}
		r := newRand(seed)
		ops := map[string]func(string) string{
			"typo":     func(s string) string { return typo(r, s) },
			"phonetic": func(s string) string { return phonetic(r, s) },
			"ocr":      func(s string) string { return ocr(r, s) },
			"particle": func(s string) string { return particle(r, s) },
			"accent":   func(s string) string { return accent(r, s) },
			"compound": func(s string) string { return compound(r, s) },
			"translit": func(s string) string { return translit(r, s, table) },
			"case":     func(s string) string { return caseVariant(r, s) },
			"cf":       func(s string) string { return cfMistype(r, s) },
			"title":    titleCase,
		}
		for _, name := range []string{"typo", "phonetic", "ocr", "particle", "accent", "compound", "translit", "case", "cf", "title"} {
			out := ops[name](s)
			if name != "cf" && !utf8.ValidString(out) {
				t.Fatalf("%s gave invalid UTF-8", name)
			}
		}
	})
}
