package table

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/welfare-district/swd/internal/base"
)

// charset is the character set a text file is read in.
type charset int

const (
	// charsetAuto decides from the file's first non-ASCII bytes: UTF-8
	// when they are valid UTF-8, Windows-1252 when they are not.
	charsetAuto charset = iota
	charsetUTF8
	charset1252
)

// Names of the character sets, as TextInfo.Charset reports them.
const (
	CharsetASCII       = "ASCII"
	CharsetUTF8        = "UTF-8"
	CharsetUTF8BOM     = "UTF-8 with BOM"
	CharsetWindows1252 = "Windows-1252"
)

// EncodingAuto is the Options.Encoding that detects the character set.
const EncodingAuto = "auto"

func parseCharset(enc string) (charset, error) {
	switch strings.ToLower(strings.ReplaceAll(enc, "_", "-")) {
	case "", EncodingAuto:
		return charsetAuto, nil
	case "utf-8", "utf8":
		return charsetUTF8, nil
	case "latin-1", "latin1", "iso-8859-1", "iso8859-1", "windows-1252", "cp1252":
		return charset1252, nil
	}
	return 0, base.Usagef("unknown encoding %q (want auto, utf-8 or latin-1)", enc)
}

// sniffCharset decides the character set of a file from a sample that
// holds non-ASCII bytes: Windows-1252 when invalid UTF-8 outnumbers valid
// multi-byte sequences, UTF-8 otherwise. Text in Windows-1252 almost never
// forms valid UTF-8 (an accented capital followed by a symbol), while UTF-8
// is valid by construction. An incomplete sequence at the end of the sample
// is no evidence either way.
func sniffCharset(b []byte) charset {
	valid, invalid := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			if !utf8.FullRune(b[i:]) {
				break
			}
			invalid++
			i++
			continue
		}
		valid++
		i += n
	}
	if invalid > valid {
		return charset1252
	}
	return charsetUTF8
}

// cp1252 holds the runes of the bytes 0x80…0xFF in Windows-1252 (the five
// bytes it leaves undefined map to the C1 controls, as browsers do).
var cp1252 = func() (t [128]rune) {
	for i := range t {
		t[i] = charmap.Windows1252.DecodeByte(byte(0x80 + i))
	}
	return t
}()

// decode1252 converts Windows-1252 text to a UTF-8 string.
func decode1252(b []byte) string {
	i := 0
	for i < len(b) && b[i] < utf8.RuneSelf {
		i++
	}
	if i == len(b) {
		return string(b)
	}
	out := make([]byte, i, len(b)+len(b)/2+3)
	copy(out, b[:i])
	for _, c := range b[i:] {
		if c < utf8.RuneSelf {
			out = append(out, c)
		} else {
			out = utf8.AppendRune(out, cp1252[c-0x80])
		}
	}
	return string(out)
}

// isASCII reports whether b holds only 7-bit bytes.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// binaryText reads a value of a binary (not string) column of a Parquet or
// Arrow file as text: Windows-1252 when cs says so; with charsetAuto, as
// UTF-8 when it is valid UTF-8 and as Windows-1252 otherwise. A columnar
// file has no "first accented bytes" that would decide for the whole file,
// so auto decides value by value.
func binaryText(b []byte, cs charset) (string, bool) {
	if cs == charset1252 || !utf8.Valid(b) {
		return decode1252(b), true
	}
	return string(b), true
}
