package normalize

// abbreviation expands the street-type abbreviations of Italian (and a few
// English) addresses, one folded word at a time.
func abbreviation(w []byte) (string, bool) {
	switch string(w) {
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
func pair(a, b []byte) (string, bool) {
	switch string(a) {
	case "P":
		if string(b) == "ZZA" || string(b) == "ZA" {
			return "PIAZZA", true
		}
	case "V":
		switch string(b) {
		case "LE":
			return "VIALE", true
		case "LO":
			return "VICOLO", true
		}
	case "C":
		if string(b) == "SO" {
			return "CORSO", true
		}
	case "L":
		if string(b) == "GO" {
			return "LARGO", true
		}
	case "S":
		if string(b) == "DA" {
			return "STRADA", true
		}
	case "F":
		if string(b) == "NE" {
			return "FRAZIONE", true
		}
	}
	return "", false
}

// dropped words carry no identifying content.
func dropped(w []byte) bool {
	switch string(w) {
	case "N", "NR", "NUM", "CIVICO", "SNC":
		return true
	}
	return false
}

// Address folds an address and, when expand is set, expands street-type
// abbreviations (V. → VIA, P.ZZA → PIAZZA, C.SO → CORSO) and drops number
// markers (N., NR., SNC), so "V. Roma n. 12" and "Via Roma 12" agree.
func Address(s string, expand bool) string {
	if !expand {
		return Fold(s)
	}
	// Fold into fb (unless s is folded already), then expand into out.
	var fbuf, obuf [128]byte
	var fb []byte
	if isPlainASCII(s) {
		fb = append(fbuf[:0], s...)
	} else {
		fb, _ = appendFold(fbuf[:0], s)
	}
	out := obuf[:0]
	same := true // out is fb so far
	add := func(w []byte) {
		if len(out) > 0 {
			out = append(out, ' ')
		}
		out = append(out, w...)
	}
	rest := fb
	for i := 0; len(rest) > 0; i++ {
		var w []byte
		w, rest = cutWord(rest)
		if i == 0 && len(rest) > 0 {
			next, after := cutWord(rest)
			if e, ok := pair(w, next); ok {
				add([]byte(e))
				same = false
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
			add([]byte(e))
			same = false
			continue
		}
		add(w)
	}
	if same && len(out) == len(fb) {
		if len(fb) == len(s) && string(fb) == s {
			return s // s was folded and has nothing to expand
		}
		return string(fb)
	}
	return string(out)
}

// cutWord splits a folded value at its first space.
func cutWord(b []byte) (word, rest []byte) {
	for i, c := range b {
		if c == ' ' {
			return b[:i], b[i+1:]
		}
	}
	return b, nil
}
