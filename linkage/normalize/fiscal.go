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
			switch {
			case c == ' ', c == '\t', c == '\n', c == '\v', c == '\f', c == '\r', c == '-', c == '.':
				continue
			case c >= 'a' && c <= 'z':
				c -= 'a' - 'A'
				lower = true
			}
			if n == cfLength {
				return "", FiscalInvalid
			}
			b[n] = c
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
		if c := b[i]; c < '0' || c > '9' {
			b[i] = byte('0' + cfOmocodeDigit(c))
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

// The rules below are those of internal/codicefiscale (check, Canonical),
// without the error values that package builds for its callers.
const (
	cfMonthLetters    = "ABCDEHLMPRST"
	cfOmocodiaLetters = "LMNPQRSTUV"
)

var (
	cfOmocodiaPositions = [7]int{6, 7, 9, 10, 12, 13, 14}
	cfDaysIn            = [12]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	cfOddDigits         = [10]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21}
	cfOddLetters        = [26]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}
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
		if c := b[i]; (c < '0' || c > '9') && cfOmocodeDigit(c) < 0 {
			return false
		}
	}
	m := -1
	for i := 0; i < len(cfMonthLetters); i++ {
		if cfMonthLetters[i] == b[8] {
			m = i
			break
		}
	}
	if m < 0 {
		return false
	}
	day := cfDigit(b[9])*10 + cfDigit(b[10])
	if day > 40 {
		day -= 40
	}
	if day < 1 || day > cfDaysIn[m] {
		return false
	}
	return b[cfLength-1] == cfCheckChar(b)
}

// cfCheckChar computes the check character of the first 15 characters
// (upper-case letters and digits, already checked).
func cfCheckChar(b *[cfLength]byte) byte {
	sum := 0
	for i := 0; i < cfLength-1; i++ {
		c := b[i]
		isDigit := c >= '0' && c <= '9'
		switch {
		case isDigit && i%2 == 0:
			sum += cfOddDigits[c-'0']
		case i%2 == 0:
			sum += cfOddLetters[c-'A']
		case isDigit:
			sum += int(c - '0')
		default:
			sum += int(c - 'A')
		}
	}
	return byte('A' + sum%26)
}

// cfOmocodeDigit returns the digit an omocodia letter stands for, or -1.
func cfOmocodeDigit(c byte) int {
	for i := 0; i < len(cfOmocodiaLetters); i++ {
		if cfOmocodiaLetters[i] == c {
			return i
		}
	}
	return -1
}

// cfDigit returns the digit c stands for, undoing omocodia.
func cfDigit(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	return cfOmocodeDigit(c)
}
