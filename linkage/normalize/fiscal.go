package normalize

import (
	"unicode"
	"unicode/utf8"
)

// FiscalStatus says what FiscalCode made of a value.
type FiscalStatus int

// Outcomes of FiscalCode.
const (
	FiscalMissing FiscalStatus = iota // empty after normalisation
	FiscalValid                       // well formed, check character right
	FiscalInvalid                     // present but malformed or wrong check character
)

// cfLength is the number of characters of a fiscal code.
const cfLength = 16

// FiscalCode normalises an Italian fiscal code (upper case, separators
// removed), validates it (structure and check character) and returns its
// canonical form, with omocodia letters mapped back to digits so that the
// omocodic and the original code of a person agree. An invalid code is
// returned as "" with FiscalInvalid: callers treat it as missing and count it.
//
// It applies the rules of internal/codicefiscale (Normalize, then
// Canonical) on a stack buffer: a value already in canonical form is
// returned without allocating.
func FiscalCode(s string) (string, FiscalStatus) {
	var b [cfLength]byte
	n, lower := 0, false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			u := cfInput[c]
			if u == 0 {
				continue // a separator codicefiscale.Normalize removes
			}
			lower = lower || u != c
			if n == cfLength {
				return "", FiscalInvalid
			}
			b[n] = u
			n++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if !unicode.IsSpace(r) {
			// codicefiscale.Normalize keeps it (invalid bytes become
			// U+FFFD): never a letter or digit of a valid code.
			return "", FiscalInvalid
		}
	}
	if n == 0 {
		return "", FiscalMissing
	}
	if n != cfLength || !validCF(&b) {
		return "", FiscalInvalid
	}
	omocodic := false
	for _, i := range cfOmocodiaPositions {
		if c := b[i]; c > '9' {
			b[i] = '0' + byte(cfDigit[c])
			omocodic = true
		}
	}
	if omocodic {
		b[cfLength-1] = cfCheckChar(&b)
	} else if len(s) == cfLength && !lower {
		return s, FiscalValid // s is b: no separator, no lower case
	}
	return string(b[:]), FiscalValid
}

// The rules below are those of internal/codicefiscale (Normalize, check,
// Canonical) in tables, without the error values that package builds for
// its callers.
var (
	cfOmocodiaPositions = [7]int{6, 7, 9, 10, 12, 13, 14}
	cfDaysIn            = [12]int8{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

	// cfInput maps an ASCII byte to what Normalize makes of it: 0 for the
	// separators it removes (ASCII white space, '-', '.'), the upper case
	// of a lower-case letter, the byte itself otherwise (NUL, which it
	// keeps, as 0xFF: never part of a valid code either).
	cfInput = func() (t [utf8.RuneSelf]byte) {
		for c := range t {
			switch {
			case c == 0:
				t[c] = 0xFF
			case unicode.IsSpace(rune(c)) || c == '-' || c == '.':
			case c >= 'a' && c <= 'z':
				t[c] = byte(c - 'a' + 'A')
			default:
				t[c] = byte(c)
			}
		}
		return t
	}()

	// cfDigit is the digit a byte stands for in a digit position: 0–9 for
	// the digits and the omocodia letters LMNPQRSTUV, -1 otherwise.
	cfDigit = func() (t [256]int8) {
		for c := range t {
			t[c] = -1
		}
		for d := 0; d < 10; d++ {
			t['0'+d] = int8(d)
			t["LMNPQRSTUV"[d]] = int8(d)
		}
		return t
	}()

	// cfMonth is the month (0–11) of a month letter, -1 otherwise.
	cfMonth = func() (t [256]int8) {
		for c := range t {
			t[c] = -1
		}
		for m, c := range []byte("ABCDEHLMPRST") {
			t[c] = int8(m)
		}
		return t
	}()

	// cfOdd and cfEven are the check-character values of a letter or digit
	// in an odd (1-based) or even position.
	cfOdd, cfEven = func() (odd, even [256]uint8) {
		oddDigits := [10]uint8{1, 0, 5, 7, 9, 13, 15, 17, 19, 21}
		oddLetters := [26]uint8{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}
		for d := 0; d < 10; d++ {
			odd['0'+d], even['0'+d] = oddDigits[d], uint8(d)
		}
		for l := 0; l < 26; l++ {
			odd['A'+l], even['A'+l] = oddLetters[l], uint8(l)
		}
		return odd, even
	}()
)

// validCF reports whether b is a valid fiscal code of a natural person:
// letters and digits (or omocodia letters) in their places, a month
// letter, a day of that month (plus 40 for women), the right check
// character.
func validCF(b *[cfLength]byte) bool {
	for _, i := range [...]int{0, 1, 2, 3, 4, 5, 8, 11, 15} {
		if c := b[i]; c < 'A' || c > 'Z' {
			return false
		}
	}
	for _, i := range cfOmocodiaPositions {
		if cfDigit[b[i]] < 0 {
			return false
		}
	}
	m := cfMonth[b[8]]
	if m < 0 {
		return false
	}
	day := int(cfDigit[b[9]])*10 + int(cfDigit[b[10]])
	if day > 40 {
		day -= 40
	}
	if day < 1 || day > int(cfDaysIn[m]) {
		return false
	}
	return b[cfLength-1] == cfCheckChar(b)
}

// cfCheckChar computes the check character of the first 15 characters
// (upper-case letters and digits, already checked).
func cfCheckChar(b *[cfLength]byte) byte {
	sum := 0
	for i := 0; i < cfLength-1; i += 2 {
		sum += int(cfOdd[b[i]])
	}
	for i := 1; i < cfLength-1; i += 2 {
		sum += int(cfEven[b[i]])
	}
	return byte('A' + sum%26)
}
