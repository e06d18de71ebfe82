package normalize

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/welfare-district/swd/internal/codicefiscale"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"rossi", "ROSSI"},
		{"  Nicolò  ", "NICOLO"},
		{"NICOLO'", "NICOLO"},
		{"Nicolo’", "NICOLO"},
		{"D'Angelo", "DANGELO"},
		{"Müller-Lüdenscheidt", "MULLER LUDENSCHEIDT"},
		{"Straße", "STRASSE"},
		{"ŁUKASZ", "LUKASZ"},
		{"José  María", "JOSE MARIA"},
		{"a.b,c;d", "A B C D"},
		{"Çağla", "CAGLA"},
		{"\tTab\nNew", "TAB NEW"},
		{"Владимир", "ВЛАДИМИР"},
		{"\xff\xfeab", "AB"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSurname(t *testing.T) {
	groups := [][]string{
		{"D'Angelo", "DANGELO", "D Angelo", "d' angelo", "D’ANGELO"},
		{"De Luca", "DELUCA", "de  luca", "De-Luca"},
		{"Lo Presti", "LOPRESTI", "lo presti"},
		{"Dalla Costa", "DALLACOSTA"},
		{"Della Valle", "DELLAVALLE", "DELLA VALLE"},
		{"Dell'Acqua", "DELL ACQUA", "DELLACQUA"},
		{"Di Stefano", "DISTEFANO"},
		{"Mc Donald", "McDonald"},
		{"De la Cruz", "DELACRUZ", "De La Cruz"},
	}
	for _, g := range groups {
		t.Run(g[0], func(t *testing.T) {
			want := Surname(g[0])
			if strings.Contains(want, " ") {
				t.Fatalf("Surname(%q) = %q keeps a space", g[0], want)
			}
			for _, v := range g[1:] {
				if got := Surname(v); got != want {
					t.Errorf("Surname(%q) = %q, want %q", v, got, want)
				}
			}
		})
	}
	if got := Surname("Rossi Bianchi"); got != "ROSSI BIANCHI" {
		t.Errorf("compound surname = %q", got)
	}
	if got := Surname("La"); got != "LA" {
		t.Errorf("lone particle = %q", got)
	}
}

func TestGivenName(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"Maria Grazia", "Mariagrazia", true},
		{"Mohamed", "Muhammad", true},
		{"MOHAMMED", "Mohamad", true},
		{"Aleksandr", "Alexander", true},
		{"Yusuf", "Youssef", true},
		{"Fatima", "Fatma", true},
		{"Nicolò", "NICOLO'", true},
		{"Alessandro", "Alexander", false},
		{"Mario", "Maria", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			a := Collapse(GivenName(tt.a, true))
			b := Collapse(GivenName(tt.b, true))
			if (a == b) != tt.same {
				t.Errorf("%q → %q, %q → %q: same=%v, want %v", tt.a, a, tt.b, b, a == b, tt.same)
			}
		})
	}
	if got := GivenName("Muhammad Ali", false); got != "MUHAMMAD ALI" {
		t.Errorf("without transliteration: %q", got)
	}
}

func TestFiscalCode(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		status FiscalStatus
	}{
		{"", "", FiscalMissing},
		{"  ", "", FiscalMissing},
		{"RSSMRA85T10A562S", "RSSMRA85T10A562S", FiscalValid},
		{"rss mra 85t10 a562s", "RSSMRA85T10A562S", FiscalValid},
		{"RSSMRA85T10A562T", "", FiscalInvalid}, // wrong check character
		{"RSSMRA85T10A56", "", FiscalInvalid},   // too short
	}
	omo, err := codicefiscale.Omocode("RSSMRA85T10A562S", 2)
	if err != nil {
		t.Fatal(err)
	}
	tests = append(tests, struct {
		in     string
		want   string
		status FiscalStatus
	}{omo, "RSSMRA85T10A562S", FiscalValid})
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, st := FiscalCode(tt.in)
			if got != tt.want || st != tt.status {
				t.Errorf("FiscalCode(%q) = %q, %v; want %q, %v", tt.in, got, st, tt.want, tt.status)
			}
		})
	}
}

// TestFoldRuneSpecial checks that foldRune spells every special letter
// out whole: its foldEntry holds four bytes.
func TestFoldRuneSpecial(t *testing.T) {
	for r, m := range special {
		if e := foldRune(r); e.n < 0 || string(e.b[:e.n]) != m {
			t.Errorf("foldRune(%q) = %+v, want %q", r, e, m)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		p    Precision
		want string
		ok   bool
	}{
		{"10/12/1985", PrecisionDay, "19851210", true},
		{"1985-12-10", PrecisionDay, "19851210", true},
		{"10-12-1985", PrecisionDay, "19851210", true},
		{"10.12.1985", PrecisionDay, "19851210", true},
		{"1/2/1985", PrecisionDay, "19850201", true},
		{" 10/12/1985 ", PrecisionDay, "19851210", true},
		{"10/12/1985", PrecisionYear, "1985", true},
		{"10/12/1985", PrecisionMonth, "198512", true},
		{"31/02/1985", PrecisionDay, "", false},
		{"O7/10/1962", PrecisionDay, "19621007", true},
		{"Z1/01/2014", PrecisionDay, "20140121", true},
		{"I958-10-20", PrecisionDay, "19581020", true},
		{"1G/03/1977", PrecisionDay, "19770316", true},
		{"12/25/1990", PrecisionDay, "19901225", true},
		{"12.25.1990", PrecisionDay, "19901225", true},
		{"13/13/1990", PrecisionDay, "", false},
		{"1985/12/10", PrecisionDay, "", false},
		{"10/12/0085", PrecisionDay, "", false},
		{"", PrecisionDay, "", false},
		{"yesterday", PrecisionDay, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, ok := ParseDate(tt.in, ExpandLayouts(DefaultDateLayouts), tt.p)
			if ok != tt.ok || (ok && d.String() != tt.want) {
				t.Errorf("ParseDate(%q) = %v, %v; want %q, %v", tt.in, d, ok, tt.want, tt.ok)
			}
		})
	}
	if d, ok := ParseDate("19851210", []string{"20060102"}, PrecisionDay); !ok || d.String() != "19851210" {
		t.Errorf("yyyymmdd layout: %v %v", d, ok)
	}
	if d, ok := ParseDate("1985", []string{"2006"}, PrecisionYear); !ok || d.String() != "1985" {
		t.Errorf("year layout: %v %v", d, ok)
	}
	if d, ok := ParseDate("Dec 10, 1985", []string{"Jan 2, 2006"}, PrecisionDay); !ok || d.String() != "19851210" {
		t.Errorf("time.Parse fallback: %v %v", d, ok)
	}
	if _, ok := ParseDate("29/02/1900", ExpandLayouts(DefaultDateLayouts), PrecisionDay); ok {
		t.Error("29 February 1900 accepted")
	}
	if d, ok := ParseDate("29/02/2000", ExpandLayouts(DefaultDateLayouts), PrecisionDay); !ok || d.String() != "20000229" {
		t.Error("29 February 2000 refused")
	}
}

func TestDateTokensSwap(t *testing.T) {
	a := Date{1985, 12, 10}.AppendTokens(nil, true)
	b := Date{1985, 10, 12}.AppendTokens(nil, true)
	want := []string{"y:1985", "m:12", "d:10", "dm:10-12"}
	if !slices.Equal(a, want) {
		t.Errorf("tokens = %q, want %q", a, want)
	}
	shared := 0
	for _, x := range a {
		if slices.Contains(b, x) {
			shared++
		}
	}
	if shared != 2 { // year and the order-free pair
		t.Errorf("swapped date shares %d tokens, want 2", shared)
	}
	if got := (Date{Year: 1970}).AppendTokens(nil, true); !slices.Equal(got, []string{"y:1970"}) {
		t.Errorf("year-only tokens = %q", got)
	}
}

func TestSex(t *testing.T) {
	tests := []struct {
		in   string
		want byte
		ok   bool
	}{
		{"M", 'M', true}, {"m", 'M', true}, {"1", 'M', true}, {"Maschio", 'M', true},
		{"F", 'F', true}, {"2", 'F', true}, {"femmina", 'F', true}, {" Female ", 'F', true},
		{"", 0, false}, {"X", 0, false}, {"3", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := Sex(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Sex(%q) = %c, %v", tt.in, got, ok)
			}
		})
	}
}

func TestPostcodePhone(t *testing.T) {
	postcodes := []struct {
		in     string
		length int
		want   string
	}{
		{"35121", 5, "35121"}, {"6100", 5, "06100"}, {" 35 121 ", 5, "35121"},
		{"4223", 0, "4223"}, {"", 5, ""}, {"sw1a 1aa", 5, "SW1A1AA"},
	}
	for _, tt := range postcodes {
		t.Run("cap "+tt.in, func(t *testing.T) {
			if got := Postcode(tt.in, tt.length); got != tt.want {
				t.Errorf("Postcode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	phones := []struct{ in, want string }{
		{"+39 347 123 4567", "3471234567"},
		{"0039 049 8765432", "0498765432"},
		{"347-123.4567", "3471234567"},
		{"393471234567", "3471234567"},
		{"049 876 5432", "0498765432"},
		{"+44 20 7946 0958", "442079460958"},
		{"", ""},
	}
	for _, tt := range phones {
		t.Run("tel "+tt.in, func(t *testing.T) {
			if got := Phone(tt.in); got != tt.want {
				t.Errorf("Phone(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAddress(t *testing.T) {
	groups := [][]string{
		{"Via Roma 12", "V. Roma 12", "via roma n. 12", "VIA ROMA, 12"},
		{"Piazza Garibaldi 3", "P.zza Garibaldi 3", "P.ZA GARIBALDI 3", "pza garibaldi 3"},
		{"Corso Milano 5", "C.so Milano 5"},
		{"Viale Vittorio Veneto 1", "V.le Vittorio Veneto 1"},
	}
	for _, g := range groups {
		t.Run(g[0], func(t *testing.T) {
			want := Address(g[0], true)
			for _, v := range g[1:] {
				if got := Address(v, true); got != want {
					t.Errorf("Address(%q) = %q, want %q", v, got, want)
				}
			}
		})
	}
}

func TestPhonetic(t *testing.T) {
	same := [][2]string{
		{"ROSSI", "ROSI"}, {"CHIARA", "KIARA"}, {"SCIARRA", "SIARRA"},
		{"GIUSEPPE", "GIUSEPE"}, {"DANGELO", "DANGIELO"}, {"FILIPPO", "PHILIPPO"},
	}
	for _, p := range same {
		if Phonetic(p[0]) != Phonetic(p[1]) {
			t.Errorf("Phonetic(%s)=%s, Phonetic(%s)=%s", p[0], Phonetic(p[0]), p[1], Phonetic(p[1]))
		}
	}
	if Phonetic("ROSSI") == Phonetic("BIANCHI") {
		t.Error("ROSSI and BIANCHI share a key")
	}
	if got := Phonetic("ROSSI"); len(got) != 4 {
		t.Errorf("key %q is not 4 characters", got)
	}
	if Phonetic("") != "" || Phonetic("123") != "" {
		t.Error("a value without letters has a key")
	}
}

func TestQGrams(t *testing.T) {
	tests := []struct {
		s    string
		q    int
		pad  bool
		want []string
	}{
		{"ABC", 2, true, []string{"_A", "AB", "BC", "C_"}},
		{"ABC", 2, false, []string{"AB", "BC"}},
		{"A", 3, false, []string{"A"}},
		{"ÀB", 2, false, []string{"ÀB"}},
		{"ÀBC", 2, false, []string{"ÀB", "BC"}},
		{"", 2, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			if got := AppendQGrams(nil, tt.s, tt.q, tt.pad); !slices.Equal(got, tt.want) {
				t.Errorf("grams = %q, want %q", got, tt.want)
			}
		})
	}
	if d := QGramDice("ROSSI", "ROSSI", 2, true); d != 1 {
		t.Errorf("self Dice = %v", d)
	}
	if d := QGramDice("ROSSO", "BIANCHI", 2, true); d != 0 {
		t.Errorf("disjoint Dice = %v", d)
	}
}

// TestParseDateLikeTimeParse checks that the compiled layouts read the
// layout elements time.Parse reads in its own way as time.Parse does: _2
// (a space, then one or two digits), _2006 (a literal _ and a year), __2
// (day of the year), -07 (zone offset) and .000 (fractional seconds).
func TestParseDateLikeTimeParse(t *testing.T) {
	tests := []struct {
		layout, in string
		p          Precision
		want       string // "" when nothing fits
	}{
		{"2006-01-_2", "1990-01- 05", PrecisionDay, "19900105"},
		{"2006-01-_2", "1990-01- 5", PrecisionDay, "19900105"},
		{"2006-01-_2", "1990-01-15", PrecisionDay, "19900115"},
		{"2006-01-_2", "1990-01-  5", PrecisionDay, ""},
		{"_2/01/2006", "5/01/1990", PrecisionDay, "19900105"},
		{"_2006", "_1990", PrecisionYear, "1990"},
		{"_2006-01", "_1990-03", PrecisionMonth, "199003"},
		{"__2 2006", "  5 1990", PrecisionDay, "19900105"},
		{"__2 2006", "_5 1990", PrecisionDay, ""},
		{"2006-01-02-07", "1990-01-05+01", PrecisionDay, "19900105"},
		{"2006-01-02.000", "1990-01-05,123", PrecisionDay, "19900105"},
		{"02.01.2006", "05.01.1990", PrecisionDay, "19900105"},
	}
	for _, tt := range tests {
		t.Run(tt.layout+" "+tt.in, func(t *testing.T) {
			d, ok := ParseDate(tt.in, []string{tt.layout}, tt.p)
			got := ""
			if ok {
				got = d.String()
			}
			if got != tt.want {
				t.Errorf("ParseDate(%q, %q) = %q, %v; want %q", tt.in, tt.layout, got, ok, tt.want)
			}
			if _, err := time.Parse(tt.layout, tt.in); (err == nil) != (tt.want != "") {
				t.Errorf("time.Parse(%q, %q) error %v: the test case is wrong", tt.layout, tt.in, err)
			}
		})
	}
}

// FuzzParseNumeric checks the compiled layouts against time.Parse: the
// fast numeric date parser (compiledLayout.parse) on layouts it reads
// whole, and parseCompiled (fixed patterns, the quick test, parse and the
// fallback to time.Parse) on every layout.
func FuzzParseNumeric(f *testing.F) {
	for _, s := range []string{"10/12/1985", "1/2/1985", "1985-12-10", "31.02.1985", "10/12/85", "1/1/0001", "29/02/2000",
		" 01/01/1990", "1990-01- 05", "_1990", "  5 1990", "1990-01-05+01", "1990-01-05,123", "Dec 10, 1985"} {
		f.Add(s)
	}
	numeric := append(ExpandLayouts(DefaultDateLayouts), "20060102", "2006", "01/02/2006", "_2/01/2006", "2006-01-_2")
	others := []string{"_2006", "__2 2006", "2006-01-02-07", "2006-01-02.000", "Jan 2, 2006", "02/01/06", "2006-01-02T15:04"}
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range numeric {
			c := compileLayout(l)
			d, ok, handled := c.parse(s)
			if !handled {
				t.Fatalf("layout %q not handled", l)
			}
			tm, err := time.Parse(l, s)
			if ok != (err == nil) {
				t.Fatalf("layout %q, input %q: fast ok=%v, time.Parse err=%v", l, s, ok, err)
			}
			if ok && (d.Year != tm.Year() || d.Month != int(tm.Month()) || d.Day != tm.Day()) {
				t.Fatalf("layout %q, input %q: fast %v, time.Parse %v", l, s, d, tm)
			}
		}
		for _, l := range append(numeric, others...) {
			c := CompileDateLayouts([]string{l})
			d, ok := parseCompiled(s, c.layouts, c.compiled, PrecisionDay)
			tm, err := time.Parse(l, s)
			want := Date{Year: tm.Year(), Month: int(tm.Month()), Day: tm.Day()}
			wantOK := err == nil && want.Year >= 1800 && want.Year <= 2199
			if ok != wantOK || (ok && d != want) {
				t.Fatalf("layout %q, input %q: parseCompiled %v, %v; time.Parse %v, %v", l, s, d, ok, tm, err)
			}
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"D'Angelo", "NICOLO'", "Maria Grazia", "RSSMRA85T10A562S", "10/12/1985", "+39 347", "P.zza", "Ärger\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fo := Fold(s)
		if !utf8.ValidString(fo) {
			t.Fatalf("Fold output is not UTF-8")
		}
		if Fold(fo) != fo {
			t.Fatalf("Fold is not idempotent")
		}
		if sn := Surname(s); Surname(sn) != sn {
			t.Fatalf("Surname is not idempotent")
		}
		if g := GivenName(s, true); GivenName(g, true) != g {
			t.Fatalf("GivenName is not idempotent")
		}
		if a := Address(s, false); Address(a, false) != a {
			t.Fatalf("Address is not idempotent")
		}
		if p := Phone(s); Phone(p) != p && !strings.HasPrefix(p, "39") {
			t.Fatalf("Phone is not idempotent")
		}
		if pc := Postcode(s, 5); Postcode(pc, 5) != pc {
			t.Fatalf("Postcode is not idempotent")
		}
		if cf, st := FiscalCode(s); st == FiscalValid {
			if again, st2 := FiscalCode(cf); again != cf || st2 != FiscalValid {
				t.Fatalf("FiscalCode is not idempotent")
			}
		}
		_ = Phonetic(fo)
		_, _ = Sex(s)
		_, _ = ParseDate(s, ExpandLayouts(DefaultDateLayouts), PrecisionDay)
		_ = AppendQGrams(nil, fo, 2, true)
	})
}
