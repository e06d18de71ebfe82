package synth

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Legitimate ways of writing the same name that registers disagree on:
// particles and apostrophes, accents, compound given names,
// transliterations, letter case.

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
