package codicefiscale

import "strings"

// SurnameCode returns the three-letter surname part of a fiscal code: the
// consonants of the surname in order, then its vowels, padded with X.
// Accents are stripped; spaces, apostrophes and other non-letters are
// ignored.
func SurnameCode(surname string) string {
	cons, vows := split(surname)
	return pad3(cons + vows)
}

// NameCode returns the three-letter given-name part of a fiscal code: as
// for the surname, except that a name with four or more consonants takes
// the first, third and fourth.
func NameCode(name string) string {
	cons, vows := split(name)
	if len(cons) >= 4 {
		return cons[0:1] + cons[2:4]
	}
	return pad3(cons + vows)
}

func pad3(s string) string {
	if len(s) >= 3 {
		return s[:3]
	}
	return s + "XXX"[:3-len(s)]
}

// split returns the consonants and the vowels of s, as uppercase ASCII
// letters in order.
func split(s string) (cons, vows string) {
	var c, v strings.Builder
	for _, r := range s {
		l := Fold(r)
		switch {
		case l == 0:
		case strings.IndexByte("AEIOU", l) >= 0:
			v.WriteByte(l)
		default:
			c.WriteByte(l)
		}
	}
	return c.String(), v.String()
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
