package normalize

import "unicode/utf8"

// PadChar marks the start and end of a value in padded q-grams; Fold never
// produces it.
const PadChar = '_'

// AppendQGrams appends the q-grams of s (in runes) to dst. With pad, s is
// framed by q-1 PadChar on each side, so first and last letters weigh as
// much as inner ones ("_A", "AB", "B_"). A value shorter than q yields the
// value itself as its only gram. The grams share memory with one string
// built per call.
func AppendQGrams(dst []string, s string, q int, pad bool) []string {
	if q <= 0 || s == "" {
		return dst
	}
	if pad && q > 1 {
		b := make([]byte, 0, len(s)+2*(q-1))
		for i := 0; i < q-1; i++ {
			b = append(b, PadChar)
		}
		b = append(b, s...)
		for i := 0; i < q-1; i++ {
			b = append(b, PadChar)
		}
		s = string(b)
	}
	if isASCII(s) {
		if len(s) <= q {
			return append(dst, s)
		}
		for i := 0; i+q <= len(s); i++ {
			dst = append(dst, s[i:i+q])
		}
		return dst
	}
	var starts []int
	for i := range s {
		starts = append(starts, i)
	}
	n := len(starts)
	if n <= q {
		return append(dst, s)
	}
	starts = append(starts, len(s))
	for i := 0; i+q <= n; i++ {
		dst = append(dst, s[starts[i]:starts[i+q]])
	}
	return dst
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// QGramDice is the Dice coefficient of the q-gram sets of a and b, the
// plaintext similarity that Bloom-filter encodings (which store sets)
// approximate. Two values without grams are identical: 1.
func QGramDice(a, b string, q int, pad bool) float64 {
	sa := gramSet(a, q, pad)
	sb := gramSet(b, q, pad)
	if len(sa)+len(sb) == 0 {
		return 1
	}
	common := 0
	for g := range sb {
		if sa[g] {
			common++
		}
	}
	return 2 * float64(common) / float64(len(sa)+len(sb))
}

func gramSet(s string, q int, pad bool) map[string]bool {
	m := make(map[string]bool)
	for _, g := range AppendQGrams(nil, s, q, pad) {
		m[g] = true
	}
	return m
}
