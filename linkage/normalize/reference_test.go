package normalize

// This file keeps, verbatim but renamed (ref prefix), the implementations
// of the normaliser as they were before the allocation-free rewrite (commit
// 9fb0e5d). The differential tests and fuzz targets in differential_test.go
// check that every optimised function returns byte-identical results.

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/welfare-district/swd/internal/codicefiscale"
)

// ---- from fold.go ----

// refFold upper-cases s, removes accents (NFD, combining marks refDropped),
// deletes apostrophes (so NICOLO' and D'ANGELO become NICOLO and DANGELO),
// turns other punctuation and control characters into spaces and collapses
// runs of spaces. Letters of other scripts are kept (upper-cased). refFold is
// idempotent.
func refFold(s string) string {
	if refIsPlainASCII(s) {
		return s
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		s = norm.NFD.String(strings.ToValidUTF8(s, " "))
	}
	b := make([]byte, 0, len(s))
	space := false
	emit := func(r rune) {
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = utf8.AppendRune(b, r)
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			emit(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			emit(r)
		case refIsApostrophe(r):
			// refDropped: elision (D'ANGELO) or accent (NICOLO')
		case r < utf8.RuneSelf:
			space = true
		case unicode.Is(unicode.Mn, r):
			// combining mark left by NFD: the accent itself
		default:
			if m, ok := refSpecial[r]; ok {
				for _, c := range m {
					emit(c)
				}
				continue
			}
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				emit(unicode.ToUpper(r))
				continue
			}
			space = true
		}
	}
	return string(b)
}

// refIsPlainASCII reports whether s is already folded: only A–Z, 0–9 and
// single inner spaces. It makes refFold allocation-free on clean input.
func refIsPlainASCII(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			prevSpace = false
		case c == ' ' && !prevSpace:
			prevSpace = true
		default:
			return false
		}
	}
	return true
}

func refIsApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '\u2018', '\u2019', '\u00b4', '\u02bc', '\u02b9', '\u2032':
		return true
	}
	return false
}

// refSpecial maps letters that NFD does not decompose into a base letter and a
// mark.
var refSpecial = map[rune]string{
	'ß': "SS", 'ẞ': "SS", 'Æ': "AE", 'æ': "AE", 'Œ': "OE", 'œ': "OE",
	'Ø': "O", 'ø': "O", 'Ł': "L", 'ł': "L", 'Đ': "D", 'đ': "D",
	'Þ': "TH", 'þ': "TH", 'ı': "I", 'Ð': "D", 'ð': "D", 'Ħ': "H", 'ħ': "H",
}

// refCollapse removes the spaces of a folded value: the form q-grams are taken
// from, so that "DE LUCA" and "DELUCA", "MARIA GRAZIA" and "MARIAGRAZIA"
// give the same grams.
func refCollapse(s string) string {
	if strings.IndexByte(s, ' ') < 0 {
		return s
	}
	return strings.ReplaceAll(s, " ", "")
}

// ---- from misc.go ----

// refSex maps the ways records spell a person's sex to 'M' or 'F':
// M/F, 1/2, MASCHIO/FEMMINA, MASCHILE/FEMMINILE, UOMO/DONNA, MALE/FEMALE.
// ok is false for anything else (unknown, other, empty).
func refSex(s string) (sex byte, ok bool) {
	switch refFold(s) {
	case "M", "1", "MASCHIO", "MASCHILE", "MASC", "UOMO", "U", "MALE", "MAN", "H":
		return 'M', true
	case "F", "2", "FEMMINA", "FEMMINILE", "FEMM", "DONNA", "D", "FEMALE", "WOMAN", "W":
		return 'F', true
	}
	return 0, false
}

// refPostcode keeps the letters and digits of a postcode, upper-cased. When
// length > 0 and the code is all digits and shorter, it is left-padded with
// zeros: spreadsheets turn the CAP 06100 into 6100.
func refPostcode(s string, length int) string {
	f := refCollapse(refFold(s))
	if length > 0 && len(f) < length && len(f) > 0 && refAllDigits(f) {
		f = strings.Repeat("0", length-len(f)) + f
	}
	return f
}

// refPhone keeps the digits of a phone number and removes the Italian country
// prefix (+39, 0039, or a bare 39 before a 9–10 digit national number).
func refPhone(s string) string {
	var b []byte
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b = append(b, c)
		case c == '+' && len(b) == 0:
			plus = true
		}
	}
	d := string(b)
	switch {
	case strings.HasPrefix(d, "0039") && len(d) > 4:
		d = d[4:]
	case plus && strings.HasPrefix(d, "39") && len(d) > 2:
		d = d[2:]
	case !plus && len(d) >= 11 && len(d) <= 12 && strings.HasPrefix(d, "39") && (d[2] == '3' || d[2] == '0'):
		d = d[2:]
	}
	return d
}

func refAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// refText folds free text (refFold).
func refText(s string) string { return refFold(s) }

// refExact normalises an identifier compared exactly: surrounding space
// removed, inner runs of space collapsed, letters upper-cased; punctuation
// is kept.
func refExact(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), " "))
}

// ---- from names.go ----

// refParticles are the surname prefixes joined to the word that follows them,
// so that "DE LUCA", "DE  LUCA" and "DELUCA" agree ("D'ANGELO" loses its
// apostrophe in refFold and needs no joining).
var refParticles = map[string]bool{
	"D": true, "L": true, "DE": true, "DI": true, "DA": true, "DEL": true,
	"DELL": true, "DELLA": true, "DELLE": true, "DEGLI": true, "DEI": true,
	"DAL": true, "DALL": true, "DALLA": true, "DALLE": true, "DAI": true,
	"LA": true, "LE": true, "LI": true, "LO": true, "SAN": true, "SANTA": true,
	"SANTO": true, "MC": true, "MAC": true, "VAN": true, "VON": true,
	"DER": true, "DEN": true, "DOS": true, "DAS": true, "DU": true, "EL": true,
	"AL": true, "BEN": true, "BIN": true, "ABU": true, "O": true,
}

// refSurname folds s and joins refParticles to the following word:
// D'Angelo, D Angelo, DANGELO → "DANGELO"; De Luca → "DELUCA";
// Lo Presti → "LOPRESTI"; De la Cruz → "DELACRUZ". Compound surnames keep a
// space between their parts ("ROSSI BIANCHI").
func refSurname(s string) string {
	f := refFold(s)
	if strings.IndexByte(f, ' ') < 0 {
		return f
	}
	parts := strings.Fields(f)
	for {
		// A join can form a new particle ("L A" → "LA"): repeat until
		// stable, so that refSurname is idempotent.
		joined := refJoinParticles(parts)
		if len(joined) == len(parts) {
			return strings.Join(joined, " ")
		}
		parts = joined
	}
}

func refJoinParticles(parts []string) []string {
	out := make([]string, 0, len(parts))
	prefix := ""
	for i, p := range parts {
		if refParticles[p] && i < len(parts)-1 {
			prefix += p
			continue
		}
		out = append(out, prefix+p)
		prefix = ""
	}
	return out
}

// refGivenName folds s and, when refTranslit is set, maps each part to the
// canonical spelling of its transliteration family (MUHAMMAD → MOHAMED).
// Parts stay separated by a space: "MARIA GRAZIA". Tokenisers remove the
// spaces (refCollapse) so that Maria Grazia and Mariagrazia give the same
// q-grams.
func refGivenName(s string, refTranslit bool) string {
	f := refFold(s)
	if !refTranslit {
		return f
	}
	if strings.IndexByte(f, ' ') < 0 {
		return refTransliterate(f)
	}
	parts := strings.Fields(f)
	for i, p := range parts {
		parts[i] = refTransliterate(p)
	}
	return strings.Join(parts, " ")
}

// refName normalises a personal name of either kind: surname refParticles are
// joined when refParticles is set, transliteration variants folded when
// refTranslit is set.
func refName(s string, refParticles, refTranslit bool) string {
	if refParticles {
		s = refSurname(s)
	}
	return refGivenName(s, refTranslit)
}

// refTransliterate maps one folded name part to the canonical spelling of its
// transliteration family, or returns it unchanged.
func refTransliterate(part string) string {
	if c, ok := refTranslit[part]; ok {
		return c
	}
	return part
}

// ---- from address.go ----

// refAbbreviations expands the street-type refAbbreviations of Italian (and a few
// English) addresses, one folded word at a time.
var refAbbreviations = map[string]string{
	"V": "VIA", "VA": "VIA", "PZA": "PIAZZA", "PZZA": "PIAZZA", "PZ": "PIAZZA",
	"P": "PIAZZA", "VLE": "VIALE", "CSO": "CORSO", "LGO": "LARGO", "VLO": "VICOLO",
	"STR": "STRADA", "LOC": "LOCALITA", "FRAZ": "FRAZIONE", "FR": "FRAZIONE",
	"RD": "ROAD", "ST": "STREET", "AVE": "AVENUE", "AV": "AVENUE", "DR": "DRIVE",
	"PL": "PLACE", "CRES": "CRESCENT", "CT": "COURT", "HWY": "HIGHWAY",
}

// refPairs expands refAbbreviations that refFold splits in two at their dot:
// P.ZZA → "P ZZA".
var refPairs = map[[2]string]string{
	{"P", "ZZA"}: "PIAZZA", {"P", "ZA"}: "PIAZZA", {"V", "LE"}: "VIALE",
	{"C", "SO"}: "CORSO", {"L", "GO"}: "LARGO", {"V", "LO"}: "VICOLO",
	{"S", "DA"}: "STRADA", {"F", "NE"}: "FRAZIONE",
}

// refDropped words carry no identifying content.
var refDropped = map[string]bool{"N": true, "NR": true, "NUM": true, "CIVICO": true, "SNC": true}

// refAddress folds an address and, when expand is set, expands street-type
// refAbbreviations (V. → VIA, P.ZZA → PIAZZA, C.SO → CORSO) and drops number
// markers (N., NR., SNC), so "V. Roma n. 12" and "Via Roma 12" agree.
func refAddress(s string, expand bool) string {
	f := refFold(s)
	if !expand || f == "" {
		return f
	}
	words := strings.Fields(f)
	out := make([]string, 0, len(words))
	for i := 0; i < len(words); i++ {
		w := words[i]
		if i == 0 && i+1 < len(words) {
			if e, ok := refPairs[[2]string{w, words[i+1]}]; ok {
				out = append(out, e)
				i++
				continue
			}
		}
		if refDropped[w] {
			continue
		}
		if e, ok := refAbbreviations[w]; ok && (i == 0 || len(w) > 1) {
			w = e
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// ---- from phonetic.go ----

// refPhonetic returns an Italian-aware Soundex key of a folded name: the first
// letter and three digits. Before the classic Soundex coding it folds the
// spellings that sound alike in Italian (CH/K → C, GH → G, GN → N, GLI → LI,
// SCI/SCE → SI/SE, PH → F, J/Y → I, W → V, X → S, silent H), so that
// spelling variants share a blocking key. Spaces are ignored; non-letters
// are skipped. The key of a value without letters is "".
func refPhonetic(s string) string {
	var buf [64]byte
	l := buf[:0]
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			l = append(l, c)
		} else if c >= 'a' && c <= 'z' {
			l = append(l, c-'a'+'A')
		}
	}
	if len(l) == 0 {
		return ""
	}
	l = refItalianFold(l)
	if len(l) == 0 {
		return ""
	}
	var ob [4]byte
	out := append(ob[:0], l[0])
	last := refSoundexCode(l[0])
	for _, c := range l[1:] {
		code := refSoundexCode(c)
		if code != 0 && code != last {
			out = append(out, code)
			if len(out) == 4 {
				break
			}
		}
		if c != 'H' && c != 'W' {
			last = code
		}
	}
	for len(out) < 4 {
		out = append(out, '0')
	}
	return string(out)
}

// refItalianFold rewrites l in place: every step reads at least one letter and
// writes at most one.
func refItalianFold(l []byte) []byte {
	out := l[:0]
	at := func(i int) byte {
		if i < len(l) {
			return l[i]
		}
		return 0
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c == 'C' && at(i+1) == 'H', c == 'G' && at(i+1) == 'H', c == 'P' && at(i+1) == 'H':
			if c == 'P' {
				c = 'F'
			}
			out = append(out, c)
			i++
		case c == 'G' && at(i+1) == 'N':
			out = append(out, 'N')
			i++
		case c == 'G' && at(i+1) == 'L' && at(i+2) == 'I':
			out = append(out, 'L')
			i++
		case c == 'S' && at(i+1) == 'C' && (at(i+2) == 'I' || at(i+2) == 'E'):
			out = append(out, 'S')
			i++
		case c == 'K' || c == 'Q':
			out = append(out, 'C')
		case c == 'J' || c == 'Y':
			out = append(out, 'I')
		case c == 'W':
			out = append(out, 'V')
		case c == 'X':
			out = append(out, 'S')
		case c == 'H':
		default:
			out = append(out, c)
		}
	}
	return out
}

func refSoundexCode(c byte) byte {
	switch c {
	case 'B', 'F', 'P', 'V':
		return '1'
	case 'C', 'G', 'J', 'K', 'Q', 'S', 'X', 'Z':
		return '2'
	case 'D', 'T':
		return '3'
	case 'L':
		return '4'
	case 'M', 'N':
		return '5'
	case 'R':
		return '6'
	}
	return 0
}

// ---- from date.go ----

// refParseDate parses s (trimmed) with the first layout that accepts it (see
// ExpandLayouts for the unpadded variants) and
// truncates the result to precision. Years must lie in 1800–2199. When no
// layout fits, it retries with the letters typists put for digits (O→0,
// I/L→1, Z→2, S→5, G→6, B→8), then with day and month exchanged (a month above
// 12 written first, 12/25/1990). The boolean is false when nothing fits;
// the caller reports the row and column, never the value.
func refParseDate(s string, layouts []string, p Precision) (Date, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, false
	}
	if d, ok := refParseLayouts(s, layouts, p); ok {
		return d, true
	}
	if f := refDigitTypos.Replace(s); f != s {
		if d, ok := refParseLayouts(f, layouts, p); ok {
			return d, true
		}
		s = f
	}
	if sw, ok := refSwapDayMonth(s); ok {
		return refParseLayouts(sw, layouts, p)
	}
	return Date{}, false
}

var refDigitTypos = strings.NewReplacer("O", "0", "o", "0", "I", "1", "l", "1", "L", "1", "Z", "2", "z", "2", "S", "5", "G", "6", "B", "8")

// refSwapDayMonth exchanges the first two numeric groups of d/m/yyyy-like
// text.
func refSwapDayMonth(s string) (string, bool) {
	i := strings.IndexAny(s, "/.-")
	if i < 1 || i > 2 {
		return "", false
	}
	j := strings.IndexAny(s[i+1:], "/.-")
	if j < 1 || j > 2 || s[i] != s[i+1+j] {
		return "", false
	}
	j += i + 1
	return s[i+1:j] + s[i:i+1] + s[:i] + s[j:], true
}

func refParseLayouts(s string, layouts []string, p Precision) (Date, bool) {
	for _, l := range layouts {
		d, ok, handled := refParseNumeric(s, l)
		if !handled {
			t, err := time.Parse(l, s)
			d, ok = Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}, err == nil
		}
		if !ok {
			continue
		}
		if d.Year < 1800 || d.Year > 2199 {
			return Date{}, false
		}
		switch p {
		case PrecisionYear:
			d.Month, d.Day = 0, 0
		case PrecisionMonth:
			d.Day = 0
		}
		return d, true
	}
	return Date{}, false
}

// AppendTokens adds the date-part tokens "y:1985", "m:12", "d:10" for the
// parts the date has, and, when swap is set and both day and month are
// known, the order-free token "dm:10-12" that a day/month swap preserves.
func refAppendTokens(d Date, dst []string, swap bool) []string {
	dst = append(dst, "y:"+strconv.Itoa(d.Year))
	if d.Month > 0 {
		dst = append(dst, "m:"+strconv.Itoa(d.Month))
	}
	if d.Day > 0 {
		dst = append(dst, "d:"+strconv.Itoa(d.Day))
	}
	if swap && d.Month > 0 && d.Day > 0 {
		lo, hi := d.Day, d.Month
		if lo > hi {
			lo, hi = hi, lo
		}
		dst = append(dst, "dm:"+strconv.Itoa(lo)+"-"+strconv.Itoa(hi))
	}
	return dst
}

// refDateString is the compact form YYYYMMDD (YYYY or YYYYMM at lower precision).
func refDateString(d Date) string {
	var b []byte
	b = refAppendPad(b, d.Year, 4)
	if d.Month > 0 {
		b = refAppendPad(b, d.Month, 2)
	}
	if d.Day > 0 {
		b = refAppendPad(b, d.Day, 2)
	}
	return string(b)
}

func refAppendPad(b []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// refParseNumeric parses s with a layout made only of the numeric elements
// 2006 (year), 01/1 (month), 02/2/_2 (day) and literal separators, without
// time.Parse and its allocations: most rows of an export go through here.
// handled is false when the layout has other elements (month names, two-
// digit years, times), which time.Parse then handles. A date must exist
// (no 31 February); a layout without a day or month takes the 1st.
func refParseNumeric(s, layout string) (d Date, ok, handled bool) {
	d = Date{Month: 1, Day: 1}
	i := 0
	for j := 0; j < len(layout); {
		var n, minW, maxW int
		var dst *int
		switch {
		case strings.HasPrefix(layout[j:], "2006"):
			dst, minW, maxW, n = &d.Year, 4, 4, 4
		case strings.HasPrefix(layout[j:], "01"):
			dst, minW, maxW, n = &d.Month, 2, 2, 2
		case strings.HasPrefix(layout[j:], "02"):
			dst, minW, maxW, n = &d.Day, 2, 2, 2
		case strings.HasPrefix(layout[j:], "_2"):
			dst, minW, maxW, n = &d.Day, 1, 2, 2
		case layout[j] == '1' || layout[j] == '2':
			dst, minW, maxW, n = &d.Month, 1, 2, 1
			if layout[j] == '2' {
				dst = &d.Day
			}
		case (layout[j] >= '0' && layout[j] <= '9') || (layout[j] >= 'A' && layout[j] <= 'Z') || (layout[j] >= 'a' && layout[j] <= 'z'):
			return Date{}, false, false // another element: leave it to time.Parse
		default:
			if i >= len(s) || s[i] != layout[j] {
				return Date{}, false, true
			}
			i++
			j++
			continue
		}
		if layout[j] == '_' && i < len(s) && s[i] == ' ' {
			i++
			maxW = 1
		}
		v, w := 0, 0
		for w < maxW && i < len(s) && s[i] >= '0' && s[i] <= '9' {
			v = v*10 + int(s[i]-'0')
			i++
			w++
		}
		if w < minW {
			return Date{}, false, true
		}
		*dst = v
		j += n
	}
	if i != len(s) || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > refDaysIn(d.Month, d.Year) {
		return Date{}, false, true
	}
	return d, true, true
}

func refDaysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// ---- from fiscal.go ----

// refFiscalCode normalises an Italian fiscal code (upper case, separators
// removed), validates it (structure and check character) and returns its
// canonical form, with omocodia letters mapped back to digits so that the
// omocodic and the original code of a person agree. An invalid code is
// returned as "" with FiscalInvalid: callers treat it as missing and count it.
func refFiscalCode(s string) (string, FiscalStatus) {
	cf := codicefiscale.Normalize(s)
	if cf == "" {
		return "", FiscalMissing
	}
	c, err := codicefiscale.Canonical(cf)
	if err != nil {
		return "", FiscalInvalid
	}
	return c, FiscalValid
}

// ---- from translit.go ----

var refTranslit = func() map[string]string {
	m := make(map[string]string)
	for _, fam := range families {
		for _, v := range fam {
			m[v] = fam[0]
		}
	}
	return m
}()
