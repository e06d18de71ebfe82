package normalize

import (
	"strings"
	"unicode/utf8"
)

// Sex maps the ways records spell a person's sex to 'M' or 'F':
// M/F, 1/2, MASCHIO/FEMMINA, MASCHILE/FEMMINILE, UOMO/DONNA, MALE/FEMALE.
// ok is false for anything else (unknown, other, empty).
func Sex(s string) (sex byte, ok bool) {
	if isPlainASCII(s) {
		return sexOf(s)
	}
	var buf [32]byte
	b, _ := appendFold(buf[:0], s)
	return sexOf(string(b)) // short: not allocated
}

func sexOf(f string) (sex byte, ok bool) {
	switch f {
	case "M", "1", "MASCHIO", "MASCHILE", "MASC", "UOMO", "U", "MALE", "MAN", "H":
		return 'M', true
	case "F", "2", "FEMMINA", "FEMMINILE", "FEMM", "DONNA", "D", "FEMALE", "WOMAN", "W":
		return 'F', true
	}
	return 0, false
}

// Postcode keeps the letters and digits of a postcode, upper-cased. When
// length > 0 and the code is all digits and shorter, it is left-padded with
// zeros: spreadsheets turn the CAP 06100 into 6100.
func Postcode(s string, length int) string {
	f := Collapse(Fold(s))
	if length > 0 && len(f) < length && len(f) > 0 && allDigits(f) {
		var buf [16]byte
		b := buf[:0]
		for i := len(f); i < length; i++ {
			b = append(b, '0')
		}
		f = string(append(b, f...))
	}
	return f
}

// Phone keeps the digits of a phone number and removes the Italian country
// prefix (+39, 0039, or a bare 39 before a 9–10 digit national number).
func Phone(s string) string {
	var buf [32]byte
	b := buf[:0]
	plus := false
	first, last := -1, -1 // where the digits of s start and end
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if first < 0 {
				first = i
			}
			last = i
			b = append(b, c)
		case c == '+' && len(b) == 0:
			plus = true
		}
	}
	cut := 0
	switch {
	case len(b) > 4 && b[0] == '0' && b[1] == '0' && b[2] == '3' && b[3] == '9':
		cut = 4
	case plus && len(b) > 2 && b[0] == '3' && b[1] == '9':
		cut = 2
	case !plus && len(b) >= 11 && len(b) <= 12 && b[0] == '3' && b[1] == '9' && (b[2] == '3' || b[2] == '0'):
		cut = 2
	}
	if len(b) == 0 {
		return ""
	}
	if last-first+1 == len(b) {
		// The digits are contiguous in s: no copy.
		return s[first+cut : last+1]
	}
	return string(b[cut:])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Text folds free text (Fold).
func Text(s string) string { return Fold(s) }

// Exact normalises an identifier compared exactly: surrounding space
// removed, inner runs of space collapsed, letters upper-cased; punctuation
// is kept.
func Exact(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.ToUpper(strings.Join(strings.Fields(s), " "))
		}
	}
	// ASCII: the same, in one buffer.
	var buf [64]byte
	b := buf[:0]
	for i := 0; i < len(s); {
		for i < len(s) && asciiSpace[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		for ; i < len(s) && !asciiSpace[s[i]]; i++ {
			c := s[i]
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			b = append(b, c)
		}
	}
	if string(b) == s {
		return s
	}
	return string(b)
}

// asciiSpace marks the ASCII bytes unicode.IsSpace accepts.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}
