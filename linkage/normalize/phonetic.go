package normalize

// Phonetic returns an Italian-aware Soundex key of a folded name: the first
// letter and three digits. Before the classic Soundex coding it folds the
// spellings that sound alike in Italian (CH/K → C, GH → G, GN → N, GLI → LI,
// SCI/SCE → SI/SE, PH → F, J/Y → I, W → V, X → S, silent H), so that
// spelling variants share a blocking key. Spaces are ignored; non-letters
// are skipped. The key of a value without letters is "". Phonetic does not
// allocate: its keys are slices of one precomputed string.
func Phonetic(s string) string {
	k, ok := phoneticKey(s)
	if !ok {
		return ""
	}
	i := int(k[0]-'A')*343 + int(k[1]-'0')*49 + int(k[2]-'0')*7 + int(k[3]-'0')
	return phoneticKeys[4*i : 4*i+4]
}

// AppendPhonetic appends Phonetic(s) to dst.
func AppendPhonetic(dst []byte, s string) []byte {
	k, ok := phoneticKey(s)
	if !ok {
		return dst
	}
	return append(dst, k[:]...)
}

// phoneticKeys holds every key Phonetic can return, in the order of their
// index: a letter, then three digits 0–6.
var phoneticKeys = func() string {
	b := make([]byte, 0, 26*343*4)
	for c := byte('A'); c <= 'Z'; c++ {
		for i := 0; i < 343; i++ {
			b = append(b, c, byte('0'+i/49), byte('0'+i/7%7), byte('0'+i%7))
		}
	}
	return string(b)
}()

// phoneticKey computes the key of s; ok is false when s has no letters.
func phoneticKey(s string) (key [4]byte, ok bool) {
	var buf [64]byte
	l := buf[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		} else if c < 'A' || c > 'Z' {
			continue
		}
		l = append(l, c)
	}
	if len(l) == 0 {
		return key, false
	}
	l = italianFold(l)
	if len(l) == 0 {
		return key, false
	}
	key = [4]byte{l[0], '0', '0', '0'}
	n := 1
	last := soundexCodes[l[0]-'A']
	for _, c := range l[1:] {
		code := soundexCodes[c-'A']
		if code != 0 && code != last {
			key[n] = code
			n++
			if n == 4 {
				break
			}
		}
		if c != 'H' && c != 'W' {
			last = code
		}
	}
	return key, true
}

// italianFold rewrites l (upper-case letters) in place: every step reads at
// least one letter and writes at most one.
func italianFold(l []byte) []byte {
	n := 0
	for i := 0; i < len(l); i++ {
		c := l[i]
		var next, next2 byte
		if i+1 < len(l) {
			next = l[i+1]
			if i+2 < len(l) {
				next2 = l[i+2]
			}
		}
		switch c {
		case 'C', 'G', 'P':
			switch {
			case next == 'H':
				if c == 'P' {
					c = 'F'
				}
				i++
			case c == 'G' && next == 'N':
				c = 'N'
				i++
			case c == 'G' && next == 'L' && next2 == 'I':
				c = 'L'
				i++
			}
		case 'S':
			if next == 'C' && (next2 == 'I' || next2 == 'E') {
				i++
			}
		case 'K', 'Q':
			c = 'C'
		case 'J', 'Y':
			c = 'I'
		case 'W':
			c = 'V'
		case 'X':
			c = 'S'
		case 'H':
			continue
		}
		l[n] = c
		n++
	}
	return l[:n]
}

// soundexCodes are the Soundex digits of the letters A–Z (0: vowels and
// the letters Soundex ignores).
var soundexCodes = [26]byte{
	'B' - 'A': '1', 'F' - 'A': '1', 'P' - 'A': '1', 'V' - 'A': '1',
	'C' - 'A': '2', 'G' - 'A': '2', 'J' - 'A': '2', 'K' - 'A': '2',
	'Q' - 'A': '2', 'S' - 'A': '2', 'X' - 'A': '2', 'Z' - 'A': '2',
	'D' - 'A': '3', 'T' - 'A': '3',
	'L' - 'A': '4',
	'M' - 'A': '5', 'N' - 'A': '5',
	'R' - 'A': '6',
}
