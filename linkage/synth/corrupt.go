package synth

import (
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The corruption operators. Each takes the random source and a value and
// returns a variant; when the operator does not apply to the value it
// returns the value unchanged.

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

// swapDayMonth swaps day and month when the result is a real, different
// date (day ≤ 12 and day ≠ month).
func swapDayMonth(t time.Time) (time.Time, bool) {
	d, m := t.Day(), int(t.Month())
	if d > 12 || d == m {
		return t, false
	}
	return time.Date(t.Year(), time.Month(d), m, 0, 0, 0, 0, time.UTC), true
}

// dateVariant formats t in a layout other than the preferred one: another
// office format, or one without leading zeros.
func dateVariant(r *rand.Rand, t time.Time, preferred string) string {
	var layouts []string
	for _, l := range append(append([]string{}, dateLayouts...), looseLayouts...) {
		if l != preferred && t.Format(l) != t.Format(preferred) {
			layouts = append(layouts, l)
		}
	}
	return t.Format(layouts[r.IntN(len(layouts))])
}

// particle rewrites a surname with a particle or an apostrophe the ways
// registers do: D'Angelo → DAngelo, D Angelo, Dangelo, D' Angelo, D’Angelo;
// De Luca → DeLuca, Deluca, De-Luca.
func particle(r *rand.Rand, s string) string {
	if !strings.ContainsAny(s, " '’") {
		return s
	}
	joined := strings.NewReplacer(" ", "", "'", "", "’", "").Replace(s)
	variants := []string{
		joined,
		titleCase(strings.ToLower(joined)),
		strings.NewReplacer("'", " ", "’", " ").Replace(s),
		strings.NewReplacer("' ", "'", "'", "' ").Replace(s),
		strings.ReplaceAll(s, "'", "’"),
		strings.ReplaceAll(s, " ", "-"),
	}
	return pickDifferent(r, s, variants)
}

// pickDifferent returns a random variant that differs from s, or s.
func pickDifferent(r *rand.Rand, s string, variants []string) string {
	var ok []string
	for _, v := range variants {
		if v != s && v != "" {
			ok = append(ok, v)
		}
	}
	if len(ok) == 0 {
		return s
	}
	return ok[r.IntN(len(ok))]
}

// accentBase maps the accented vowels of Italian to their base letter.
var accentBase = map[rune]rune{
	'à': 'a', 'è': 'e', 'é': 'e', 'ì': 'i', 'ò': 'o', 'ó': 'o', 'ù': 'u',
	'À': 'A', 'È': 'E', 'É': 'E', 'Ì': 'I', 'Ò': 'O', 'Ó': 'O', 'Ù': 'U',
}

// accent rewrites accented letters the ways keyboards and old systems do:
// Nicolò → Nicolo', Nicolo, Nicoló.
func accent(r *rand.Rand, s string) string {
	if !strings.ContainsFunc(s, func(c rune) bool { _, ok := accentBase[c]; return ok }) {
		return s
	}
	var stripped, apostrophe, wrong strings.Builder
	for _, c := range s {
		b, ok := accentBase[c]
		if !ok {
			stripped.WriteRune(c)
			apostrophe.WriteRune(c)
			wrong.WriteRune(c)
			continue
		}
		stripped.WriteRune(b)
		apostrophe.WriteRune(b)
		apostrophe.WriteByte('\'')
		wrong.WriteRune(swapAccent(c))
	}
	return pickDifferent(r, s, []string{stripped.String(), apostrophe.String(), wrong.String()})
}

func swapAccent(c rune) rune {
	if v, ok := map[rune]rune{'ò': 'ó', 'ó': 'ò', 'è': 'é', 'é': 'è', 'Ò': 'Ó', 'Ó': 'Ò', 'È': 'É', 'É': 'È'}[c]; ok {
		return v
	}
	return c
}

// compoundPrefixes start joined compound given names (Mariagrazia,
// Gianmarco, Pierluigi, Annamaria).
var compoundPrefixes = []string{"Maria", "Gian", "Pier", "Anna"}

// compound rewrites a compound given name: Maria Grazia → Mariagrazia,
// Maria-Grazia, Maria; and Mariagrazia → Maria Grazia.
func compound(r *rand.Rand, s string) string {
	if i := strings.IndexAny(s, " -"); i > 0 {
		first, rest := s[:i], s[i+1:]
		return pickDifferent(r, s, []string{
			first + strings.ToLower(rest),
			first + "-" + rest,
			first + " " + rest,
			first,
		})
	}
	for _, p := range compoundPrefixes {
		if len(s) > len(p)+2 && strings.EqualFold(s[:len(p)], p) {
			rest := s[len(p):]
			c, n := utf8.DecodeRuneInString(rest)
			return s[:len(p)] + " " + string(unicode.ToUpper(c)) + rest[n:]
		}
	}
	return s
}

// translit replaces a word of s by another spelling of the same name
// (Mohamed → Muhammad, Oleksandr → Alexander, Ionuț → Ionut).
func translit(r *rand.Rand, s string, table map[string][]string) string {
	words := strings.Fields(s)
	var idx []int
	for i, w := range words {
		if len(table[titleCase(w)]) > 0 {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		// multi-word entries (Abdel Kader, Xiao Li)
		if alts := table[titleCase(s)]; len(alts) > 0 {
			return matchCase(alts[r.IntN(len(alts))], s)
		}
		return s
	}
	i := idx[r.IntN(len(idx))]
	alts := table[titleCase(words[i])]
	words[i] = matchCase(alts[r.IntN(len(alts))], words[i])
	return strings.Join(words, " ")
}

// matchCase writes v in capitals when like is in capitals.
func matchCase(v, like string) string {
	if strings.ToUpper(like) == like {
		return strings.ToUpper(v)
	}
	return v
}

// caseVariant writes s in capitals, small letters or title case, whichever
// differs from s.
func caseVariant(r *rand.Rand, s string) string {
	return pickDifferent(r, s, []string{strings.ToUpper(s), strings.ToLower(s), titleCase(s)})
}

const (
	cfLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	cfDigits  = "0123456789"
)

// cfMistype changes one character of a fiscal code for another of the
// same kind, or swaps two neighbours: the check character catches it
// (almost always).
func cfMistype(r *rand.Rand, cf string) string {
	b := []byte(cf)
	if len(b) < 2 {
		return cf
	}
	if r.IntN(3) == 0 {
		i := r.IntN(len(b) - 1)
		if b[i] != b[i+1] {
			b[i], b[i+1] = b[i+1], b[i]
			return string(b)
		}
	}
	i := r.IntN(len(b))
	set := cfLetters
	if b[i] >= '0' && b[i] <= '9' {
		set = cfDigits
	}
	for {
		c := set[r.IntN(len(set))]
		if c != b[i] {
			b[i] = c
			return string(b)
		}
	}
}

// cfSpaced writes a fiscal code in groups, as on the plastic card:
// RSS MRA 85T10 A562S.
func cfSpaced(cf string) string {
	if len(cf) != 16 {
		return cf
	}
	return cf[:3] + " " + cf[3:6] + " " + cf[6:11] + " " + cf[11:]
}

// addressVariant rewrites "Via Roma 12" as "Via Roma, 12", "V. Roma 12",
// "Via Roma n. 12" or "Roma 12".
func addressVariant(r *rand.Rand, streetName, number string) string {
	short := streetName
	for _, p := range []string{"Via ", "VIA "} {
		if strings.HasPrefix(streetName, p) {
			short = streetName[len(p):]
		}
	}
	abbrev := streetName
	if short != streetName {
		abbrev = "V. " + short
	}
	return pickDifferent(r, streetName+" "+number, []string{
		streetName + ", " + number,
		abbrev + " " + number,
		streetName + " n. " + number,
		short + " " + number,
	})
}
