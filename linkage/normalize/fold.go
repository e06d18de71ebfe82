package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold upper-cases s, removes accents (NFD, combining marks dropped),
// deletes apostrophes (so NICOLO' and D'ANGELO become NICOLO and DANGELO),
// turns other punctuation and control characters into spaces and collapses
// runs of spaces. Letters of other scripts are kept (upper-cased). Fold is
// idempotent.
func Fold(s string) string {
	if isPlainASCII(s) {
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
		case isApostrophe(r):
			// dropped: elision (D'ANGELO) or accent (NICOLO')
		case r < utf8.RuneSelf:
			space = true
		case unicode.Is(unicode.Mn, r):
			// combining mark left by NFD: the accent itself
		default:
			if m, ok := special[r]; ok {
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

// isPlainASCII reports whether s is already folded: only A–Z, 0–9 and
// single inner spaces. It makes Fold allocation-free on clean input.
func isPlainASCII(s string) bool {
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

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '\u2018', '\u2019', '\u00b4', '\u02bc', '\u02b9', '\u2032':
		return true
	}
	return false
}

// special maps letters that NFD does not decompose into a base letter and a
// mark.
var special = map[rune]string{
	'ß': "SS", 'ẞ': "SS", 'Æ': "AE", 'æ': "AE", 'Œ': "OE", 'œ': "OE",
	'Ø': "O", 'ø': "O", 'Ł': "L", 'ł': "L", 'Đ': "D", 'đ': "D",
	'Þ': "TH", 'þ': "TH", 'ı': "I", 'Ð': "D", 'ð': "D", 'Ħ': "H", 'ħ': "H",
}

// Collapse removes the spaces of a folded value: the form q-grams are taken
// from, so that "DE LUCA" and "DELUCA", "MARIA GRAZIA" and "MARIAGRAZIA"
// give the same grams.
func Collapse(s string) string {
	if strings.IndexByte(s, ' ') < 0 {
		return s
	}
	return strings.ReplaceAll(s, " ", "")
}
