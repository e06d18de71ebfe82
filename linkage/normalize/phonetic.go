package normalize

// Phonetic returns an Italian-aware Soundex key of a folded name: the first
// letter and three digits. Before the classic Soundex coding it folds the
// spellings that sound alike in Italian (CH/K → C, GH → G, GN → N, GLI → LI,
// SCI/SCE → SI/SE, PH → F, J/Y → I, W → V, X → S, silent H), so that
// spelling variants share a blocking key. Spaces are ignored; non-letters
// are skipped. The key of a value without letters is "".
func Phonetic(s string) string {
	var buf [64]byte
	l := buf[:0]
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			l = append(l, c)
		} else if c >= 'a' && c <= 'z' {
			l = append(l, c-'a'+'A')
		}
	}
	if len(l) == 0 {
		return ""
	}
	l = italianFold(l)
	if len(l) == 0 {
		return ""
	}
	var ob [4]byte
	out := append(ob[:0], l[0])
	last := soundexCode(l[0])
	for _, c := range l[1:] {
		code := soundexCode(c)
		if code != 0 && code != last {
			out = append(out, code)
			if len(out) == 4 {
				break
			}
		}
		if c != 'H' && c != 'W' {
			last = code
		}
	}
	for len(out) < 4 {
		out = append(out, '0')
	}
	return string(out)
}

// italianFold rewrites l in place: every step reads at least one letter and
// writes at most one.
func italianFold(l []byte) []byte {
	out := l[:0]
	at := func(i int) byte {
		if i < len(l) {
			return l[i]
		}
		return 0
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c == 'C' && at(i+1) == 'H', c == 'G' && at(i+1) == 'H', c == 'P' && at(i+1) == 'H':
			if c == 'P' {
				c = 'F'
			}
			out = append(out, c)
			i++
		case c == 'G' && at(i+1) == 'N':
			out = append(out, 'N')
			i++
		case c == 'G' && at(i+1) == 'L' && at(i+2) == 'I':
			out = append(out, 'L')
			i++
		case c == 'S' && at(i+1) == 'C' && (at(i+2) == 'I' || at(i+2) == 'E'):
			out = append(out, 'S')
			i++
		case c == 'K' || c == 'Q':
			out = append(out, 'C')
		case c == 'J' || c == 'Y':
			out = append(out, 'I')
		case c == 'W':
			out = append(out, 'V')
		case c == 'X':
			out = append(out, 'S')
		case c == 'H':
		default:
			out = append(out, c)
		}
	}
	return out
}

func soundexCode(c byte) byte {
	switch c {
	case 'B', 'F', 'P', 'V':
		return '1'
	case 'C', 'G', 'J', 'K', 'Q', 'S', 'X', 'Z':
		return '2'
	case 'D', 'T':
		return '3'
	case 'L':
		return '4'
	case 'M', 'N':
		return '5'
	case 'R':
		return '6'
	}
	return 0
}
