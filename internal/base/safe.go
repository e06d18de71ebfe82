package base

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"runtime"
	"strings"
	"syscall"
)

// Errors of third-party decoders (parquet-go, arrow-go, encoding/csv,
// yaml, ...) quote what they read: a truncated Parquet file gave `invalid
// magic footer of parquet file: "NOME"`, its last four bytes. Those bytes
// can be personal data, so an error about input never carries a decoder's
// message as it is: readers pass it through SafeDetail at the boundary.

// safeError is an error whose message holds none of the input's bytes.
type safeError struct{ msg string }

func (e *safeError) Error() string { return e.msg }

// Safef formats an error whose message the caller guarantees holds none of
// the input's bytes (only its own words, numbers, column and key names):
// SafeDetail keeps it.
func Safef(format string, args ...any) error {
	return &safeError{msg: fmt.Sprintf(format, args...)}
}

// fixed are errors whose text is fixed: it never depends on the input.
var fixed = []error{
	io.ErrUnexpectedEOF, csv.ErrBareQuote, csv.ErrQuote, csv.ErrFieldCount,
	fs.ErrNotExist, fs.ErrPermission, fs.ErrClosed,
}

// SafeDetail describes err for a message about input, keeping only what is
// known to hold none of the input's bytes: errors made with Safef, an
// InputError's reason, the position and kind of a CSV syntax error, errors
// of fixed text (unexpected end of file, ...), the operating system's and
// the runtime's errors. Anything else, a decoder's own message included,
// gives "": the caller says what failed in its own words.
func SafeDetail(err error) string {
	if err == nil {
		return ""
	}
	var se *safeError
	var ie *InputError
	var pe *csv.ParseError
	var pathErr *fs.PathError
	var errno syscall.Errno
	var rt runtime.Error
	switch {
	case errors.As(err, &se):
		return se.msg
	case errors.As(err, &ie):
		return ie.Reason
	case errors.As(err, &pe):
		d := fmt.Sprintf("line %d, character %d", pe.Line, pe.Column)
		if s := SafeDetail(pe.Err); s != "" {
			d += ": " + s
		}
		return d
	case errors.As(err, &pathErr):
		return pathErr.Op + " " + pathErr.Path + ": " + SafeDetail(pathErr.Err)
	case errors.As(err, &errno):
		return errno.Error()
	case errors.As(err, &rt):
		return rt.Error() // index and slice bounds, nil dereferences: numbers and types
	case errors.Is(err, io.EOF):
		return "unexpected end of file"
	}
	for _, f := range fixed {
		if errors.Is(err, f) {
			return f.Error()
		}
	}
	return ""
}

// PanicDetail is SafeDetail for a value recovered from a decoder's panic.
func PanicDetail(p any) string {
	if err, ok := p.(error); ok {
		return SafeDetail(err)
	}
	return ""
}

// RedactQuoted replaces every span of msg between quotes — `…`, "…" or
// '…', as decoders quote the values they read — by the quotes around "…".
// It is for messages of decoders of configuration files (YAML), whose
// keys and line numbers are worth keeping.
func RedactQuoted(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c != '`' && c != '"' && c != '\'' {
			b.WriteByte(c)
			continue
		}
		j := strings.IndexByte(msg[i+1:], c)
		if j < 0 || (c == '\'' && strings.IndexByte(msg[i+1:i+1+j], '\n') >= 0) {
			b.WriteByte(c) // an apostrophe, not a quote
			continue
		}
		if j <= 1 {
			b.WriteString(msg[i : i+j+2]) // one character: the decoder's grammar (expected ',' or ']')
			i += j + 1
			continue
		}
		b.WriteByte(c)
		b.WriteString("…")
		b.WriteByte(c)
		i += j + 1
	}
	return b.String()
}

// yamlField matches the YAML decoder's "field NAME not found" (strict
// decoding); keyName, the names of configuration keys.
var (
	yamlField = regexp.MustCompile(`field (.+?) not found in type`)
	keyName   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// RedactYAML is RedactQuoted for the YAML decoder's messages, which also
// name unknown keys unquoted: a key is kept when it looks like a
// configuration key (lower-case letters, digits, underscores), as a
// misspelt option does, and redacted otherwise (a data file given as a
// configuration file).
func RedactYAML(msg string) string {
	msg = RedactQuoted(msg)
	return yamlField.ReplaceAllStringFunc(msg, func(m string) string {
		name := yamlField.FindStringSubmatch(m)[1]
		if keyName.MatchString(name) {
			return m
		}
		return "field … not found in type"
	})
}
