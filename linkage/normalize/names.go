package normalize

import "strings"

// particles are the surname prefixes joined to the word that follows them,
// so that "DE LUCA", "DE  LUCA" and "DELUCA" agree ("D'ANGELO" loses its
// apostrophe in Fold and needs no joining).
var particles = map[string]bool{
	"D": true, "L": true, "DE": true, "DI": true, "DA": true, "DEL": true,
	"DELL": true, "DELLA": true, "DELLE": true, "DEGLI": true, "DEI": true,
	"DAL": true, "DALL": true, "DALLA": true, "DALLE": true, "DAI": true,
	"LA": true, "LE": true, "LI": true, "LO": true, "SAN": true, "SANTA": true,
	"SANTO": true, "MC": true, "MAC": true, "VAN": true, "VON": true,
	"DER": true, "DEN": true, "DOS": true, "DAS": true, "DU": true, "EL": true,
	"AL": true, "BEN": true, "BIN": true, "ABU": true, "O": true,
}

// Surname folds s and joins particles to the following word:
// D'Angelo, D Angelo, DANGELO → "DANGELO"; De Luca → "DELUCA";
// Lo Presti → "LOPRESTI"; De la Cruz → "DELACRUZ". Compound surnames keep a
// space between their parts ("ROSSI BIANCHI").
func Surname(s string) string {
	f := Fold(s)
	if strings.IndexByte(f, ' ') < 0 {
		return f
	}
	parts := strings.Fields(f)
	for {
		// A join can form a new particle ("L A" → "LA"): repeat until
		// stable, so that Surname is idempotent.
		joined := joinParticles(parts)
		if len(joined) == len(parts) {
			return strings.Join(joined, " ")
		}
		parts = joined
	}
}

func joinParticles(parts []string) []string {
	out := make([]string, 0, len(parts))
	prefix := ""
	for i, p := range parts {
		if particles[p] && i < len(parts)-1 {
			prefix += p
			continue
		}
		out = append(out, prefix+p)
		prefix = ""
	}
	return out
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
	if strings.IndexByte(f, ' ') < 0 {
		return Transliterate(f)
	}
	parts := strings.Fields(f)
	for i, p := range parts {
		parts[i] = Transliterate(p)
	}
	return strings.Join(parts, " ")
}

// Name normalises a personal name of either kind: surname particles are
// joined when particles is set, transliteration variants folded when
// translit is set.
func Name(s string, particles, translit bool) string {
	if particles {
		s = Surname(s)
	}
	return GivenName(s, translit)
}

// Transliterate maps one folded name part to the canonical spelling of its
// transliteration family, or returns it unchanged.
func Transliterate(part string) string {
	if c, ok := translit[part]; ok {
		return c
	}
	return part
}
