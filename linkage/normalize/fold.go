package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold upper-cases s, removes accents (NFD, combining marks dropped),
// deletes apostrophes (so NICOLO' and D'ANGELO become NICOLO and DANGELO),
// turns other punctuation and control characters into spaces and collapses
// runs of spaces. Letters of other scripts are kept (upper-cased). Fold is
// idempotent.
func Fold(s string) string {
	if isPlainASCII(s) {
		return s
	}
	var buf [128]byte
	b, _, ok := appendFoldFast(buf[:0], s)
	if !ok {
		return foldSlow(s)
	}
	return string(b)
}

// appendFold appends Fold(s) to dst, for an s that is not isPlainASCII
// (whose Fold is s itself). plain reports that the appended text is
// isPlainASCII (when false, it may still be).
func appendFold(dst []byte, s string) (b []byte, plain bool) {
	if b, ascii, ok := appendFoldFast(dst, s); ok {
		return b, ascii
	}
	return append(dst, foldSlow(s)...), false
}

// appendFoldFast appends Fold(s) to dst when s is valid UTF-8 made of runes
// below U+0800 and the common typographic apostrophes, whose folding
// foldTable holds; ok is false (and dst is to be discarded) otherwise.
// ascii reports that every appended byte is ASCII: the folded text is then
// isPlainASCII.
// Folding such text rune by rune gives what the NFD pass of foldSlow gives:
// their decompositions are a base letter and combining marks, and every
// combining mark of the range is dropped, so neither canonical reordering
// nor the stream-safe limit can change the result.
func appendFoldFast(dst []byte, s string) (b []byte, ascii, ok bool) {
	b = dst
	start := len(dst)
	space := false
	ascii = true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch a := asciiFold[c]; a {
			case foldDrop:
			case foldSpace:
				space = true
			default:
				if space && len(b) > start {
					b = append(b, ' ')
				}
				space = false
				b = append(b, a)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r >= 0x800 || r == utf8.RuneError {
			if r == '\u2018' || r == '\u2019' || r == '\u2032' {
				continue // apostrophes
			}
			return dst, false, false
		}
		e := &foldTable[r-0x80]
		switch e.n {
		case 0:
		case foldEntrySpace:
			space = true
		case foldEntrySlow:
			return dst, false, false
		default:
			if space && len(b) > start {
				b = append(b, ' ')
			}
			space = false
			b = append(b, e.b[:e.n]...)
			ascii = ascii && e.b[0] < utf8.RuneSelf && (e.n < 2 || e.b[1] < utf8.RuneSelf)
		}
	}
	return b, ascii, true
}

// Actions of asciiFold besides the byte to emit.
const (
	foldDrop  = 0
	foldSpace = 1
)

// asciiFold is Fold's action for each ASCII byte (foldRune's): the byte
// to emit, or foldDrop (apostrophes) or foldSpace (everything else).
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for c := range t {
		switch e := foldRune(rune(c)); e.n {
		case 0:
			t[c] = foldDrop
		case foldEntrySpace:
			t[c] = foldSpace
		default:
			t[c] = e.b[0]
		}
	}
	return t
}()

// A foldEntry is what Fold makes of one rune (of NFD text for foldRune,
// of any text in U+0080–U+07FF for foldTable): n bytes b to emit (0: the
// rune is dropped), or foldEntrySpace (a word break), or foldEntrySlow when
// it must go through foldSlow.
type foldEntry struct {
	n int8
	b [4]byte
}

const (
	foldEntrySpace = -1
	foldEntrySlow  = -2
)

// foldTable is foldRune applied to the NFD decomposition of each rune.
var foldTable = func() *[0x800 - 0x80]foldEntry {
	var t [0x800 - 0x80]foldEntry
	for r := rune(0x80); r < 0x800; r++ {
		e := &t[r-0x80]
		if !utf8.ValidRune(r) {
			e.n = foldEntrySlow
			continue
		}
		var emit []byte
		spaces, slow := false, false
		for _, d := range norm.NFD.String(string(r)) {
			if norm.NFD.PropertiesString(string(d)).CCC() != 0 && !unicode.Is(unicode.Mn, d) {
				slow = true // a non-starter foldSlow keeps: order matters
			}
			if f := foldRune(d); f.n == foldEntrySpace {
				spaces = true
			} else {
				emit = append(emit, f.b[:f.n]...)
			}
		}
		switch {
		case slow || (spaces && len(emit) > 0) || len(emit) > len(e.b):
			e.n = foldEntrySlow
		case spaces:
			e.n = foldEntrySpace
		default:
			e.n = int8(copy(e.b[:], emit))
		}
	}
	return &t
}()

// foldSlow is Fold for any text: NFD over the whole value, then foldRune
// rune by rune.
func foldSlow(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		s = norm.NFD.String(strings.ToValidUTF8(s, " "))
	}
	b := make([]byte, 0, len(s))
	space := false
	for _, r := range s {
		switch e := foldRune(r); e.n {
		case 0:
		case foldEntrySpace:
			space = true
		default:
			if space && len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
			b = append(b, e.b[:e.n]...)
		}
	}
	return string(b)
}

// foldRune is Fold's rule for one rune of NFD text: letters and digits
// upper-cased (special letters spelt out), apostrophes and combining marks
// dropped, anything else a word break.
func foldRune(r rune) (e foldEntry) {
	switch {
	case r >= 'a' && r <= 'z':
		e.b[0], e.n = byte(r-'a'+'A'), 1
	case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		e.b[0], e.n = byte(r), 1
	case isApostrophe(r):
		// dropped: elision (D'ANGELO) or accent (NICOLO')
	case r < utf8.RuneSelf:
		e.n = foldEntrySpace
	case unicode.Is(unicode.Mn, r):
		// combining mark left by NFD: the accent itself
	default:
		if m, ok := special[r]; ok {
			e.n = int8(copy(e.b[:], m)) // at most two bytes
		} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
			e.n = int8(utf8.EncodeRune(e.b[:], unicode.ToUpper(r)))
		} else {
			e.n = foldEntrySpace
		}
	}
	return e
}

// isPlainASCII reports whether s is already folded: only A–Z, 0–9 and
// single inner spaces. It makes Fold allocation-free on clean input.
func isPlainASCII(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch plainClass[s[i]] {
		case plainOther:
			return false
		case plainSpace:
			if s[i-1] == ' ' { // i > 0: s[0] is not a space
				return false
			}
		}
	}
	return true
}

// Classes of bytes for isPlainASCII.
const (
	plainOther = iota
	plainAlnum
	plainSpace
)

var plainClass = func() (t [256]uint8) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = plainAlnum
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = plainAlnum
	}
	t[' '] = plainSpace
	return t
}()

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '\u2018', '\u2019', '\u00b4', '\u02bc', '\u02b9', '\u2032':
		return true
	}
	return false
}

// special maps letters that NFD does not decompose into a base letter and a
// mark.
var special = map[rune]string{
	'ß': "SS", 'ẞ': "SS", 'Æ': "AE", 'æ': "AE", 'Œ': "OE", 'œ': "OE",
	'Ø': "O", 'ø': "O", 'Ł': "L", 'ł': "L", 'Đ': "D", 'đ': "D",
	'Þ': "TH", 'þ': "TH", 'ı': "I", 'Ð': "D", 'ð': "D", 'Ħ': "H", 'ħ': "H",
}

// Collapse removes the spaces of a folded value: the form q-grams are taken
// from, so that "DE LUCA" and "DELUCA", "MARIA GRAZIA" and "MARIAGRAZIA"
// give the same grams.
func Collapse(s string) string {
	if strings.IndexByte(s, ' ') < 0 {
		return s
	}
	return strings.ReplaceAll(s, " ", "")
}
