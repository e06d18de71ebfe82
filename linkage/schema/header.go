package schema

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// FoldHeader is the key under which a header name matches a schema column:
// lower case, accents removed, and every blank, underscore or other
// punctuation dropped, so "COGNOME", " Cognome ", "Data nascita",
// "data_nascita" and "DATA-NASCITA" are the same column, and "Città" is
// "citta".
func FoldHeader(h string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(h) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
