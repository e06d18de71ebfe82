package codicefiscale

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Errors returned by this package. They describe what is wrong in general
// terms and never contain the code.
var (
	// ErrInvalid is returned for a string that is not a well-formed fiscal
	// code with a correct check character.
	ErrInvalid = errors.New("codicefiscale: invalid fiscal code")
	// ErrPerson is returned by Compute when the person's data cannot make a
	// fiscal code.
	ErrPerson = errors.New("codicefiscale: cannot compute fiscal code")
)

// Length is the number of characters of a fiscal code.
const Length = 16

// monthLetters are the month codes, January to December.
const monthLetters = "ABCDEHLMPRST"

// omocodiaLetters replace the digits 0–9 in omocodic codes.
const omocodiaLetters = "LMNPQRSTUV"

// omocodiaPositions are the 0-based positions whose digits omocodia may
// replace, from left to right; replacements go right to left.
var omocodiaPositions = [7]int{6, 7, 9, 10, 12, 13, 14}

// Person holds what a fiscal code is computed from.
type Person struct {
	Surname string
	Name    string
	Female  bool
	Birth   time.Time // only the date is used
	Place   string    // Belfiore code of the comune or Z### of the country, e.g. G224
}

// Compute returns the canonical (non-omocodic) fiscal code of p.
func Compute(p Person) (string, error) {
	if letters(p.Surname) == 0 {
		return "", fmt.Errorf("%w: surname has no letters", ErrPerson)
	}
	if letters(p.Name) == 0 {
		return "", fmt.Errorf("%w: given name has no letters", ErrPerson)
	}
	if p.Birth.IsZero() {
		return "", fmt.Errorf("%w: no birth date", ErrPerson)
	}
	place := strings.ToUpper(p.Place)
	if !validPlace(place) {
		return "", fmt.Errorf("%w: place must be a Belfiore code (a letter and three digits)", ErrPerson)
	}
	day := p.Birth.Day()
	if p.Female {
		day += 40
	}
	var b [Length]byte
	sc, nc := code3(p.Surname, false), code3(p.Name, true)
	copy(b[0:3], sc[:])
	copy(b[3:6], nc[:])
	y := p.Birth.Year() % 100
	if y < 0 {
		y += 100
	}
	b[6], b[7] = byte('0'+y/10), byte('0'+y%10)
	b[8] = monthLetters[p.Birth.Month()-1]
	b[9], b[10] = byte('0'+day/10), byte('0'+day%10)
	copy(b[11:15], place)
	b[15] = checkChar(b[:Length-1])
	return string(b[:]), nil
}

func validPlace(s string) bool {
	return len(s) == 4 && isLetter(s[0]) && isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3])
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// Normalize uppercases s and removes spaces, tabs, dashes and dots, the
// separators people type inside fiscal codes. It does not validate.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '-' || r == '.':
		case r >= 'a' && r <= 'z':
			b.WriteByte(byte(r - 'a' + 'A'))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
