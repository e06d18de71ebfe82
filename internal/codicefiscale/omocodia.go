package codicefiscale

import "fmt"

// Canonical returns the non-omocodic form of a valid fiscal code: the
// omocodia letters mapped back to digits and the check character
// recomputed. It returns cf itself when it has no omocodia.
func Canonical(cf string) (string, error) {
	if err := check(cf); err != nil {
		return "", err
	}
	b := []byte(cf)
	changed := false
	for _, i := range omocodiaPositions {
		if !isDigit(b[i]) {
			b[i] = byte('0' + omocodeDigit(b[i]))
			changed = true
		}
	}
	if !changed {
		return cf, nil
	}
	return withCheck(b), nil
}

// Omocode returns the k-th omocodic variant of a valid fiscal code
// (0 ≤ k ≤ 7): the code in canonical form with its k rightmost replaceable
// digits turned into letters, as the revenue agency assigns them, and the
// check character recomputed. Omocode(cf, 0) is Canonical(cf).
func Omocode(cf string, k int) (string, error) {
	if k < 0 || k > len(omocodiaPositions) {
		return "", fmt.Errorf("codicefiscale: omocodia level %d out of range 0–7", k)
	}
	canon, err := Canonical(cf)
	if err != nil {
		return "", err
	}
	b := []byte(canon)
	for j := 0; j < k; j++ {
		i := omocodiaPositions[len(omocodiaPositions)-1-j]
		b[i] = omocodiaLetters[b[i]-'0']
	}
	return withCheck(b), nil
}

// IsOmocodic reports whether a valid code has omocodia letters.
func IsOmocodic(cf string) bool {
	if len(cf) != Length {
		return false
	}
	for _, i := range omocodiaPositions {
		if !isDigit(cf[i]) {
			return true
		}
	}
	return false
}

// withCheck recomputes the check character of b, a valid code whose digits
// or omocodia letters were swapped.
func withCheck(b []byte) string {
	b[Length-1] = checkChar(b[:Length-1])
	return string(b)
}
