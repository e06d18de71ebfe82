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
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 'A' || c > 'Z' {
			// Keep the letters, upper-cased.
			var buf [64]byte
			l := append(buf[:0], s[:i]...)
			for ; i < len(s); i++ {
				if c := asciiLetter[s[i]]; c != 0 {
					l = append(l, c)
				}
			}
			return lettersKey(l)
		}
	}
	return lettersKey(s) // already upper-case letters only
}

// lettersKey applies the Italian foldings to upper-case letters and codes
// them in one pass; it stops as soon as the key is full.
func lettersKey[T string | []byte](l T) (key [4]byte, ok bool) {
	n := 0
	var last byte
	for i := 0; i < len(l) && n < 4; i++ {
		c := l[i]
		var next, next2 byte
		if i+1 < len(l) {
			next = l[i+1]
			if i+2 < len(l) {
				next2 = l[i+2]
			}
		}
		// The Italian foldings; each reads one or two letters.
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
		// Soundex: H and W never survive the foldings, so every letter
		// updates the last code.
		code := soundexCodes[c-'A']
		if n == 0 {
			key = [4]byte{c, '0', '0', '0'}
			n = 1
		} else if code != 0 && code != last {
			key[n] = code
			n++
		}
		last = code
	}
	return key, n > 0
}

// asciiLetter maps the ASCII letters to their upper case, every other byte
// to 0.
var asciiLetter = func() (t [256]byte) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c], t[c+'a'-'A'] = byte(c), byte(c)
	}
	return t
}()

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
