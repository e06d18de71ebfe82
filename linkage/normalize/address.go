package normalize

import "strings"

// abbreviations expands the street-type abbreviations of Italian (and a few
// English) addresses, one folded word at a time.
var abbreviations = map[string]string{
	"V": "VIA", "VA": "VIA", "PZA": "PIAZZA", "PZZA": "PIAZZA", "PZ": "PIAZZA",
	"P": "PIAZZA", "VLE": "VIALE", "CSO": "CORSO", "LGO": "LARGO", "VLO": "VICOLO",
	"STR": "STRADA", "LOC": "LOCALITA", "FRAZ": "FRAZIONE", "FR": "FRAZIONE",
	"RD": "ROAD", "ST": "STREET", "AVE": "AVENUE", "AV": "AVENUE", "DR": "DRIVE",
	"PL": "PLACE", "CRES": "CRESCENT", "CT": "COURT", "HWY": "HIGHWAY",
}

// pairs expands abbreviations that Fold splits in two at their dot:
// P.ZZA → "P ZZA".
var pairs = map[[2]string]string{
	{"P", "ZZA"}: "PIAZZA", {"P", "ZA"}: "PIAZZA", {"V", "LE"}: "VIALE",
	{"C", "SO"}: "CORSO", {"L", "GO"}: "LARGO", {"V", "LO"}: "VICOLO",
	{"S", "DA"}: "STRADA", {"F", "NE"}: "FRAZIONE",
}

// dropped words carry no identifying content.
var dropped = map[string]bool{"N": true, "NR": true, "NUM": true, "CIVICO": true, "SNC": true}

// Address folds an address and, when expand is set, expands street-type
// abbreviations (V. → VIA, P.ZZA → PIAZZA, C.SO → CORSO) and drops number
// markers (N., NR., SNC), so "V. Roma n. 12" and "Via Roma 12" agree.
func Address(s string, expand bool) string {
	f := Fold(s)
	if !expand || f == "" {
		return f
	}
	words := strings.Fields(f)
	out := make([]string, 0, len(words))
	for i := 0; i < len(words); i++ {
		w := words[i]
		if i == 0 && i+1 < len(words) {
			if e, ok := pairs[[2]string{w, words[i+1]}]; ok {
				out = append(out, e)
				i++
				continue
			}
		}
		if dropped[w] {
			continue
		}
		if e, ok := abbreviations[w]; ok && (i == 0 || len(w) > 1) {
			w = e
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}
