package codicefiscale

import "fmt"

// oddValues are the check-character values of the characters in odd
// (1-based) positions, indexed by digit or by letter.
var (
	oddDigits  = [10]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21}
	oddLetters = [26]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}
)

// CheckChar returns the check character for the first 15 characters of a
// fiscal code (uppercase letters and digits).
func CheckChar(first15 string) (byte, error) {
	if len(first15) != Length-1 {
		return 0, fmt.Errorf("%w: check character needs 15 characters", ErrInvalid)
	}
	for i := 0; i < Length-1; i++ {
		if c := first15[i]; !isDigit(c) && !isLetter(c) {
			return 0, fmt.Errorf("%w: character %d is not a letter or digit", ErrInvalid, i+1)
		}
	}
	return checkChar([]byte(first15)), nil
}

// checkChar computes the check character of 15 uppercase letters and
// digits (already checked).
func checkChar(first15 []byte) byte {
	sum := 0
	for i := 0; i < Length-1; i++ {
		c := first15[i]
		var v int
		switch {
		case isDigit(c) && i%2 == 0:
			v = oddDigits[c-'0']
		case isLetter(c) && i%2 == 0:
			v = oddLetters[c-'A']
		case isDigit(c):
			v = int(c - '0')
		default:
			v = int(c - 'A')
		}
		sum += v
	}
	return byte('A' + sum%26)
}

// Valid reports whether cf is a fiscal code of a natural person: 16
// uppercase characters of the right shape (omocodic letters accepted), a
// real month letter, a day of that month (plus 40 for women), and the
// right check character.
// Normalize user input first.
func Valid(cf string) bool {
	return check(cf) == nil
}

// check explains why cf is not Valid, without quoting it.
func check(cf string) error {
	if len(cf) != Length {
		return fmt.Errorf("%w: length is %d, not 16", ErrInvalid, len(cf))
	}
	for _, i := range [...]int{0, 1, 2, 3, 4, 5, 8, 11, 15} {
		if !isLetter(cf[i]) {
			return fmt.Errorf("%w: character %d must be a letter", ErrInvalid, i+1)
		}
	}
	for _, i := range omocodiaPositions {
		if !isDigit(cf[i]) && omocodeDigit(cf[i]) < 0 {
			return fmt.Errorf("%w: character %d must be a digit", ErrInvalid, i+1)
		}
	}
	m := monthIndex(cf[8])
	if m < 0 {
		return fmt.Errorf("%w: unknown month letter", ErrInvalid)
	}
	day := digitAt(cf, 9)*10 + digitAt(cf, 10)
	if day > 40 {
		day -= 40
	}
	if day < 1 || day > daysIn[m] {
		return fmt.Errorf("%w: day out of range", ErrInvalid)
	}
	// Every one of the first 15 characters was checked above.
	if cf[Length-1] != checkChar([]byte(cf[:Length-1])) {
		return fmt.Errorf("%w: wrong check character", ErrInvalid)
	}
	return nil
}

// daysIn is the longest month length (29 for February: the century of
// the year is not in the code).
var daysIn = [12]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func monthIndex(c byte) int {
	for i := 0; i < len(monthLetters); i++ {
		if monthLetters[i] == c {
			return i
		}
	}
	return -1
}

// omocodeDigit returns the digit an omocodia letter stands for, or -1.
func omocodeDigit(c byte) int {
	for i := 0; i < len(omocodiaLetters); i++ {
		if omocodiaLetters[i] == c {
			return i
		}
	}
	return -1
}

// digitAt returns the digit at position i, undoing omocodia.
func digitAt(cf string, i int) int {
	if isDigit(cf[i]) {
		return int(cf[i] - '0')
	}
	return omocodeDigit(cf[i])
}
