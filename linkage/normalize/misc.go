package normalize

import "strings"

// Sex maps the ways records spell a person's sex to 'M' or 'F':
// M/F, 1/2, MASCHIO/FEMMINA, MASCHILE/FEMMINILE, UOMO/DONNA, MALE/FEMALE.
// ok is false for anything else (unknown, other, empty).
func Sex(s string) (sex byte, ok bool) {
	switch Fold(s) {
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
		f = strings.Repeat("0", length-len(f)) + f
	}
	return f
}

// Phone keeps the digits of a phone number and removes the Italian country
// prefix (+39, 0039, or a bare 39 before a 9–10 digit national number).
func Phone(s string) string {
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
	return strings.ToUpper(strings.Join(strings.Fields(s), " "))
}
