package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"
)

// mobilePrefixes are Italian mobile operator prefixes.
var mobilePrefixes = []string{
	"320", "324", "327", "328", "329", "330", "331", "333", "334", "335", "338", "339",
	"340", "342", "345", "346", "347", "348", "349", "350", "351", "366", "368", "370",
	"371", "373", "377", "380", "388", "389", "391", "392", "393",
}

func mobile(r *rand.Rand) string {
	return mobilePrefixes[r.IntN(len(mobilePrefixes))] + fmt.Sprintf("%07d", r.IntN(10_000_000))
}

// landline numbers of Padova: 049 and 7 digits, not starting with 0 or 1.
func landline(r *rand.Rand) string {
	return "049" + fmt.Sprintf("%d%06d", 2+r.IntN(8), r.IntN(1_000_000))
}

// phone gives a member a mobile, the household landline, or nothing.
func (b *builder) phone(h *Household, p *Person) {
	a := p.Age(b.ref)
	rate := 0.9
	switch {
	case a < 14:
		rate = 0
	case a >= 75:
		rate = 0.45
	case a >= 65:
		rate = 0.7
	}
	switch {
	case b.r.Float64() < rate:
		p.Phone = mobile(b.r)
	case a >= 14:
		p.Phone = h.Landline
	}
}

// formatPhone writes digits in one of the styles offices use:
// 0 "+39 347 1234567", 1 "3471234567", 2 "347 1234567", 3 "347-1234567",
// 4 "+393471234567", 5 "0039 3471234567".
func formatPhone(digits string, style int) string {
	if digits == "" {
		return ""
	}
	split := 3 // mobile prefix or 049
	switch style {
	case 0:
		return "+39 " + digits[:split] + " " + digits[split:]
	case 2:
		return digits[:split] + " " + digits[split:]
	case 3:
		return digits[:split] + "-" + digits[split:]
	case 4:
		return "+39" + digits
	case 5:
		return "0039 " + digits
	}
	return digits
}

// phoneStyles is the number of styles formatPhone knows.
const phoneStyles = 6

// dateLayouts are the birth-date formats Italian offices use.
var dateLayouts = []string{"02/01/2006", "2006-01-02", "02-01-2006", "02.01.2006"}

// looseLayouts drop leading zeros, as hand-typed dates often do.
var looseLayouts = []string{"2/1/2006", "2-1-2006", "2.1.2006"}

// titleCase writes "MARIA GRAZIA D'ANGELO" as "Maria Grazia D'Angelo": a
// capital after a space, an apostrophe or a dash, except for the
// prepositions inside a name ("Piove di Sacco", "Quarto d'Altino").
func titleCase(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	up := true
	for _, r := range s {
		if up {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		up = r == ' ' || r == '\'' || r == '-' || r == '’'
	}
	words := strings.Split(b.String(), " ")
	for i := 1; i < len(words); i++ {
		w := strings.ToLower(words[i])
		if prepositions[w] {
			words[i] = w
			continue
		}
		if j := strings.IndexAny(w, "'’"); j > 0 && prepositions[w[:j+1]] {
			words[i] = w[:j+1] + words[i][j+1:]
		}
	}
	return strings.Join(words, " ")
}

// prepositions stay in small letters inside Italian place and street
// names.
var prepositions = map[string]bool{
	"di": true, "de": true, "del": true, "della": true, "dei": true, "degli": true, "delle": true, "dello": true,
	"da": true, "dal": true, "dalla": true, "e": true, "in": true, "sul": true, "sulla": true, "al": true, "alla": true,
	"d'": true, "dell'": true, "nell'": true, "sull'": true, "all'": true,
}

// houseStyle writes a name as a partner's system stores it: in capitals,
// or as written (values held in capitals, like the ANPR comuni, in title
// case).
func houseStyle(s string, upper bool) string {
	if upper {
		return strings.ToUpper(s)
	}
	if strings.ToUpper(s) == s {
		return titleCase(s)
	}
	return s
}
