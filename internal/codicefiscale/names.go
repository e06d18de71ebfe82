package codicefiscale

// SurnameCode returns the three-letter surname part of a fiscal code: the
// consonants of the surname in order, then its vowels, padded with X.
// Accents are stripped; spaces, apostrophes and other non-letters are
// ignored.
func SurnameCode(surname string) string {
	c := code3(surname, false)
	return string(c[:])
}

// NameCode returns the three-letter given-name part of a fiscal code: as
// for the surname, except that a name with four or more consonants takes
// the first, third and fourth.
func NameCode(name string) string {
	c := code3(name, true)
	return string(c[:])
}

// code3 computes a surname (name=false) or given-name code without
// allocating.
func code3(s string, name bool) [3]byte {
	var cons [4]byte
	var vows [3]byte
	nc, nv := 0, 0
	for _, r := range s {
		l := Fold(r)
		switch {
		case l == 0:
		case l == 'A' || l == 'E' || l == 'I' || l == 'O' || l == 'U':
			if nv < len(vows) {
				vows[nv] = l
			}
			nv++
		default:
			if nc < len(cons) {
				cons[nc] = l
			}
			nc++
		}
	}
	if name && nc >= 4 {
		return [3]byte{cons[0], cons[2], cons[3]}
	}
	out := [3]byte{'X', 'X', 'X'}
	k := 0
	for i := 0; i < min(nc, 3); i++ {
		out[k] = cons[i]
		k++
	}
	for i := 0; i < min(nv, 3) && k < 3; i++ {
		out[k] = vows[i]
		k++
	}
	return out
}

// letters returns the count of letters in s that count for a code.
func letters(s string) int {
	n := 0
	for _, r := range s {
		if Fold(r) != 0 {
			n++
		}
	}
	return n
}

// Fold maps a letter to its unaccented uppercase ASCII form, and anything
// that is not a Latin letter to 0.
func Fold(r rune) byte {
	switch {
	case r >= 'A' && r <= 'Z':
		return byte(r)
	case r >= 'a' && r <= 'z':
		return byte(r - 'a' + 'A')
	case r < 0xC0:
		return 0
	}
	if b, ok := accentFold[r]; ok {
		return b
	}
	return 0
}

// accentFold covers the Latin letters with diacritics found in Italian and
// in the names of the main foreign communities (Romanian, Albanian, Polish,
// Czech, Turkish, Vietnamese basics).
var accentFold = func() map[rune]byte {
	groups := map[byte]string{
		'A': "ÀÁÂÃÄÅàáâãäåĀāĂăĄąǍǎ",
		'C': "ÇçĆćĈĉĊċČč",
		'D': "ĎďĐðđ",
		'E': "ÈÉÊËèéêëĒēĔĕĖėĘęĚě",
		'G': "ĜĝĞğĠġĢģ",
		'H': "Ĥĥ",
		'I': "ÌÍÎÏìíîïĨĩĪīĬĭĮįİı",
		'J': "Ĵĵ",
		'K': "Ķķ",
		'L': "ĹĺĻļĽľĿŀŁł",
		'N': "ÑñŃńŅņŇň",
		'O': "ÒÓÔÕÖØòóôõöøŌōŎŏŐő",
		'R': "ŔŕŖŗŘř",
		'S': "ŚśŜŝŞşŠšȘșß",
		'T': "ŢţŤťȚț",
		'U': "ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų",
		'W': "Ŵŵ",
		'Y': "ÝýÿŶŷŸ",
		'Z': "ŹźŻżŽž",
	}
	m := make(map[rune]byte)
	for b, s := range groups {
		for _, r := range s {
			m[r] = b
		}
	}
	return m
}()
