package normalize

import "strings"

// abbreviation expands the street-type abbreviations of Italian (and a few
// English) addresses, one folded word at a time.
func abbreviation(w string) (string, bool) {
	switch w {
	case "V", "VA":
		return "VIA", true
	case "PZA", "PZZA", "PZ", "P":
		return "PIAZZA", true
	case "VLE":
		return "VIALE", true
	case "CSO":
		return "CORSO", true
	case "LGO":
		return "LARGO", true
	case "VLO":
		return "VICOLO", true
	case "STR":
		return "STRADA", true
	case "LOC":
		return "LOCALITA", true
	case "FRAZ", "FR":
		return "FRAZIONE", true
	case "RD":
		return "ROAD", true
	case "ST":
		return "STREET", true
	case "AVE", "AV":
		return "AVENUE", true
	case "DR":
		return "DRIVE", true
	case "PL":
		return "PLACE", true
	case "CRES":
		return "CRESCENT", true
	case "CT":
		return "COURT", true
	case "HWY":
		return "HIGHWAY", true
	}
	return "", false
}

// pair expands the abbreviations that Fold splits in two at their dot:
// P.ZZA → "P ZZA".
func pair(a, b string) (string, bool) {
	switch a {
	case "P":
		if b == "ZZA" || b == "ZA" {
			return "PIAZZA", true
		}
	case "V":
		switch b {
		case "LE":
			return "VIALE", true
		case "LO":
			return "VICOLO", true
		}
	case "C":
		if b == "SO" {
			return "CORSO", true
		}
	case "L":
		if b == "GO" {
			return "LARGO", true
		}
	case "S":
		if b == "DA" {
			return "STRADA", true
		}
	case "F":
		if b == "NE" {
			return "FRAZIONE", true
		}
	}
	return "", false
}

// dropped words carry no identifying content.
func dropped(w string) bool {
	switch w {
	case "N", "NR", "NUM", "CIVICO", "SNC":
		return true
	}
	return false
}

// Address folds an address and, when expand is set, expands street-type
// abbreviations (V. → VIA, P.ZZA → PIAZZA, C.SO → CORSO) and drops number
// markers (N., NR., SNC), so "V. Roma n. 12" and "Via Roma 12" agree.
func Address(s string, expand bool) string {
	f := Fold(s)
	if !expand || f == "" {
		return f
	}
	var buf [128]byte
	out := buf[:0]
	same := true // out is f so far
	add := func(w string, orig bool) {
		if len(out) > 0 {
			out = append(out, ' ')
		}
		out = append(out, w...)
		same = same && orig
	}
	rest := f
	for i := 0; rest != ""; i++ {
		var w string
		w, rest, _ = strings.Cut(rest, " ")
		if i == 0 && rest != "" {
			next, after, _ := strings.Cut(rest, " ")
			if e, ok := pair(w, next); ok {
				add(e, false)
				rest = after
				i++
				continue
			}
		}
		if dropped(w) {
			same = false
			continue
		}
		if e, ok := abbreviation(w); ok && (i == 0 || len(w) > 1) {
			add(e, false)
			continue
		}
		add(w, true)
	}
	if same && len(out) == len(f) {
		return f
	}
	return string(out)
}
