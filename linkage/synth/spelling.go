package synth

import (
	"math/rand/v2"
	"strings"
	"unicode"
)

// Spelling errors of data entry: keyboard typos, sound-alike respellings,
// OCR confusions. Each operator takes the random source and a value and
// returns a variant, or the value unchanged when it does not apply.

// keyboard rows of the QWERTY layout Italian keyboards share for letters.
var keyboardRows = []string{"qwertyuiop", "asdfghjkl", "zxcvbnm"}

// adjacent lists the keys next to each letter.
var adjacent = func() map[rune][]rune {
	m := map[rune][]rune{}
	for ri, row := range keyboardRows {
		for ci, c := range row {
			for dr := -1; dr <= 1; dr++ {
				if ri+dr < 0 || ri+dr >= len(keyboardRows) {
					continue
				}
				other := keyboardRows[ri+dr]
				for dc := -1; dc <= 1; dc++ {
					j := ci + dc
					// rows are staggered: the keys above are at i and i+1,
					// the keys below at i-1 and i
					if (dr == -1 && dc == -1) || (dr == 1 && dc == 1) {
						continue
					}
					if (dr == 0 && dc == 0) || j < 0 || j >= len(other) {
						continue
					}
					m[c] = append(m[c], rune(other[j]))
				}
			}
		}
	}
	return m
}()

// nearKey returns a key adjacent to c, in c's case; c itself when c is not
// a letter of the layout.
func nearKey(r *rand.Rand, c rune) rune {
	keys := adjacent[unicode.ToLower(c)]
	if len(keys) == 0 {
		return c
	}
	k := keys[r.IntN(len(keys))]
	if unicode.IsUpper(c) {
		return unicode.ToUpper(k)
	}
	return k
}

// letterPositions returns the indexes of the letters of s.
func letterPositions(s []rune) []int {
	var idx []int
	for i, c := range s {
		if unicode.IsLetter(c) {
			idx = append(idx, i)
		}
	}
	return idx
}

// keyPositions returns the indexes of the letters of s that are keys of
// the layout (not accented letters), or letterPositions when there are
// none.
func keyPositions(s []rune) []int {
	var idx []int
	for i, c := range s {
		if len(adjacent[unicode.ToLower(c)]) > 0 {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return letterPositions(s)
	}
	return idx
}

// typoInsert inserts a key adjacent to a letter next to it.
func typoInsert(r *rand.Rand, s string) string {
	rs := []rune(s)
	idx := keyPositions(rs)
	if len(idx) == 0 {
		return s
	}
	i := idx[r.IntN(len(idx))]
	out := append(append(append([]rune{}, rs[:i+1]...), nearKey(r, rs[i])), rs[i+1:]...)
	return string(out)
}

// typoDelete drops one letter (never the only one).
func typoDelete(r *rand.Rand, s string) string {
	rs := []rune(s)
	idx := letterPositions(rs)
	if len(idx) < 2 {
		return s
	}
	i := idx[r.IntN(len(idx))]
	return string(append(append([]rune{}, rs[:i]...), rs[i+1:]...))
}

// typoSubstitute replaces a letter with an adjacent key.
func typoSubstitute(r *rand.Rand, s string) string {
	rs := []rune(s)
	idx := keyPositions(rs)
	if len(idx) == 0 {
		return s
	}
	i := idx[r.IntN(len(idx))]
	rs[i] = nearKey(r, rs[i])
	return string(rs)
}

// typoTranspose swaps two adjacent different characters.
func typoTranspose(r *rand.Rand, s string) string {
	rs := []rune(s)
	var idx []int
	for i := 0; i+1 < len(rs); i++ {
		if rs[i] != rs[i+1] && unicode.IsLetter(rs[i]) && unicode.IsLetter(rs[i+1]) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return s
	}
	i := idx[r.IntN(len(idx))]
	rs[i], rs[i+1] = rs[i+1], rs[i]
	return string(rs)
}

// typo applies one of the four keyboard errors.
func typo(r *rand.Rand, s string) string {
	switch r.IntN(4) {
	case 0:
		return typoInsert(r, s)
	case 1:
		return typoDelete(r, s)
	case 2:
		return typoSubstitute(r, s)
	}
	return typoTranspose(r, s)
}

// phoneticRules are spellings that sound alike to an Italian ear (double
// consonants, silent h, foreign letters, gli/li, qu/cu …).
var phoneticRules = [][2]string{
	{"zz", "z"}, {"tt", "t"}, {"ll", "l"}, {"ss", "s"}, {"cc", "c"}, {"nn", "n"},
	{"rr", "r"}, {"pp", "p"}, {"mm", "m"}, {"gg", "g"}, {"ff", "f"}, {"bb", "b"},
	{"gli", "li"}, {"gn", "ni"}, {"qu", "cu"}, {"cqu", "qu"}, {"ch", "k"}, {"k", "ch"},
	{"ph", "f"}, {"th", "t"}, {"x", "s"}, {"y", "i"}, {"j", "i"}, {"w", "v"},
	{"ou", "u"}, {"ck", "k"}, {"sh", "sc"}, {"ie", "ye"},
}

// phonetic applies one sound-alike respelling, or doubles a single
// consonant between vowels (Zanon → Zannon).
func phonetic(r *rand.Rand, s string) string {
	low := strings.ToLower(s)
	if len(low) != len(s) {
		return s
	}
	type hit struct {
		at       int
		from, to string
	}
	var hits []hit
	for _, rule := range phoneticRules {
		for off := 0; ; {
			i := strings.Index(low[off:], rule[0])
			if i < 0 {
				break
			}
			hits = append(hits, hit{off + i, rule[0], rule[1]})
			off += i + 1
		}
	}
	for i := 1; i+1 < len(low); i++ {
		if isVowel(low[i-1]) && isVowel(low[i+1]) && isConsonant(low[i]) && low[i] != 'h' {
			hits = append(hits, hit{i, low[i : i+1], low[i:i+1] + low[i:i+1]})
		}
	}
	if len(hits) == 0 {
		return s
	}
	h := hits[r.IntN(len(hits))]
	to := h.to
	if isUpperASCII(s[h.at : h.at+len(h.from)]) {
		to = strings.ToUpper(to)
	}
	return s[:h.at] + to + s[h.at+len(h.from):]
}

func isVowel(c byte) bool     { return strings.IndexByte("aeiou", c) >= 0 }
func isConsonant(c byte) bool { return c >= 'a' && c <= 'z' && !isVowel(c) }

func isUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			return false
		}
	}
	return true
}

// ocrConfusions are characters optical character recognition mixes up.
var ocrConfusions = map[rune]rune{
	'O': '0', '0': 'O', 'o': '0', 'I': '1', '1': 'I', 'l': '1',
	'S': '5', '5': 'S', 's': '5', 'B': '8', '8': 'B', 'Z': '2', '2': 'Z', 'G': '6', '6': 'G',
}

// ocr replaces one character with its usual OCR confusion.
func ocr(r *rand.Rand, s string) string {
	rs := []rune(s)
	var idx []int
	for i, c := range rs {
		if _, ok := ocrConfusions[c]; ok {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return s
	}
	i := idx[r.IntN(len(idx))]
	rs[i] = ocrConfusions[rs[i]]
	return string(rs)
}
