package normalize

import "strings"

// maxParticle is the length of the longest particle.
const maxParticle = 5

// isParticle reports whether a folded word is a surname prefix joined to
// the word that follows it, so that "DE LUCA", "DE  LUCA" and "DELUCA"
// agree ("D'ANGELO" loses its apostrophe in Fold and needs no joining).
func isParticle(w []byte) bool {
	switch string(w) {
	case "D", "L", "DE", "DI", "DA", "DEL",
		"DELL", "DELLA", "DELLE", "DEGLI", "DEI",
		"DAL", "DALL", "DALLA", "DALLE", "DAI",
		"LA", "LE", "LI", "LO", "SAN", "SANTA",
		"SANTO", "MC", "MAC", "VAN", "VON",
		"DER", "DEN", "DOS", "DAS", "DU", "EL",
		"AL", "BEN", "BIN", "ABU", "O":
		return true
	}
	return false
}

// Surname folds s and joins particles to the following word:
// D'Angelo, D Angelo, DANGELO → "DANGELO"; De Luca → "DELUCA";
// Lo Presti → "LOPRESTI"; De la Cruz → "DELACRUZ". Compound surnames keep a
// space between their parts ("ROSSI BIANCHI").
func Surname(s string) string {
	f, _ := surname(s)
	return f
}

// surname is Surname; plain reports that the result is isPlainASCII
// (when false, it may still be).
func surname(s string) (f string, plain bool) {
	var buf [128]byte
	if isPlainASCII(s) {
		if !hasInnerParticle(s) {
			return s, true
		}
		return string(joinParticles(append(buf[:0], s...))), true
	}
	b, plain := appendFold(buf[:0], s)
	for _, c := range b {
		if c == ' ' {
			b = joinParticles(b)
			break
		}
	}
	return string(b), plain
}

// hasInnerParticle reports whether a folded value has a particle before
// its last word.
func hasInnerParticle(s string) bool {
	var w [maxParticle]byte
	for start := 0; ; {
		end := strings.IndexByte(s[start:], ' ')
		if end < 0 {
			return false
		}
		if end <= maxParticle && isParticle(w[:copy(w[:], s[start:start+end])]) {
			return true
		}
		start += end + 1
	}
}

// joinParticles joins, in place, every particle of a folded value that is
// not its last word to the word after it (De la Cruz → DELACRUZ), and
// repeats until no particle is left before the last word: a join can form a
// new particle ("L A" → "LA"), and Surname is idempotent.
func joinParticles(b []byte) []byte {
	for {
		n, changed := 0, false
		for start := 0; start < len(b); {
			end := start
			for end < len(b) && b[end] != ' ' {
				end++
			}
			last := end == len(b)
			particle := !last && isParticle(b[start:end])
			n += copy(b[n:], b[start:end])
			if particle {
				changed = true
			} else if !last {
				b[n] = ' '
				n++
			}
			start = end + 1
		}
		b = b[:n]
		if !changed {
			return b
		}
	}
}

// GivenName folds s and, when translit is set, maps each part to the
// canonical spelling of its transliteration family (MUHAMMAD → MOHAMED).
// Parts stay separated by a space: "MARIA GRAZIA". Tokenisers remove the
// spaces (Collapse) so that Maria Grazia and Mariagrazia give the same
// q-grams.
func GivenName(s string, translit bool) string {
	f := Fold(s)
	if !translit {
		return f
	}
	return transliterateParts(f)
}

// transliterateParts maps each part of a folded value to its canonical
// spelling.
func transliterateParts(f string) string {
	space := false
	for i := 0; i < len(f); i++ {
		if f[i] == ' ' {
			space = true
			break
		}
	}
	if !space {
		return Transliterate(f)
	}
	changed := false
	for rest := f; rest != "" && !changed; {
		var part string
		part, rest, _ = strings.Cut(rest, " ")
		if translitCandidate(part) {
			_, changed = translitMap[part]
		}
	}
	if !changed {
		return f
	}
	var buf [128]byte
	b := buf[:0]
	for rest := f; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, " ")
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, Transliterate(part)...)
	}
	return string(b)
}

// Name normalises a personal name of either kind: surname particles are
// joined when particles is set, transliteration variants folded when
// translit is set.
func Name(s string, particles, translit bool) string {
	if !particles {
		return GivenName(s, translit)
	}
	f, plain := surname(s)
	switch {
	case !plain:
		return GivenName(f, translit) // folds again, as it always did
	case translit:
		return transliterateParts(f) // Fold(f) is f
	}
	return f
}

// Transliterate maps one folded name part to the canonical spelling of its
// transliteration family, or returns it unchanged.
func Transliterate(part string) string {
	if !translitCandidate(part) {
		return part
	}
	if c, ok := translitMap[part]; ok {
		return c
	}
	return part
}
