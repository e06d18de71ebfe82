package base

import (
	"errors"
	"fmt"
	"strings"
)

// Error categories. Callers test them with errors.Is; the CLI maps each one to
// a documented exit code in a single place (cmd/swd/exit.go).
var (
	// ErrUsage marks an error in how a command or function was called
	// (bad flag value, missing argument, inconsistent options).
	ErrUsage = errors.New("swd: usage error")
	// ErrInvalidInput marks input data that cannot be processed as given
	// (malformed file, unknown column, schema mismatch).
	ErrInvalidInput = errors.New("swd: invalid input")
	// ErrIntegrity marks data that failed an authenticity or integrity check
	// (tampered, truncated or mis-addressed sealed file, unknown signer,
	// key check value mismatch).
	ErrIntegrity = errors.New("swd: integrity check failed")
	// ErrInsecure marks a refusal for security reasons, such as a secret file
	// readable by other users.
	ErrInsecure = errors.New("swd: insecure configuration")
)

type marked struct {
	err  error
	mark error
}

func (m *marked) Error() string        { return m.err.Error() }
func (m *marked) Unwrap() []error      { return []error{m.err, m.mark} }
func (m *marked) Is(target error) bool { return target == m.mark }

// Mark returns err tagged with the category mark, so that errors.Is(err, mark)
// holds while the message stays that of err. Mark(nil, …) is nil.
func Mark(err, mark error) error {
	if err == nil {
		return nil
	}
	return &marked{err: err, mark: mark}
}

// Usagef formats an error marked ErrUsage.
func Usagef(format string, args ...any) error {
	return Mark(fmt.Errorf(format, args...), ErrUsage)
}

// Invalidf formats an error marked ErrInvalidInput.
func Invalidf(format string, args ...any) error {
	return Mark(fmt.Errorf(format, args...), ErrInvalidInput)
}

// InputError locates a problem in an input table. It never carries the
// offending value: cells may hold personal data, so the message names the
// file, the 1-based data row, the line of a text file and the column, and
// says what is wrong in general terms.
type InputError struct {
	File string // path as the user gave it
	Row  int    // 1-based data row (header excluded); 0 when not row-specific
	// Line is the 1-based line of a text file where the row starts (the
	// header and blank lines counted); 0 when unknown or not a text file.
	Line int
	// Char is the 1-based character of Line (counted in bytes of the
	// file) where the problem lies; 0 when not known.
	Char   int
	Column string // column name; empty when not column-specific
	Reason string // what is wrong, without the value
}

// Error renders the location as "FILE: row R (line L, character C): column
// "NAME": REASON", leaving out what is not known.
func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	switch {
	case e.Row > 0 && e.Line > 0:
		fmt.Fprintf(&b, ": row %d (line %d", e.Row, e.Line)
		if e.Char > 0 {
			fmt.Fprintf(&b, ", character %d", e.Char)
		}
		b.WriteString(")")
	case e.Row > 0:
		fmt.Fprintf(&b, ": row %d", e.Row)
	case e.Line > 0:
		fmt.Fprintf(&b, ": line %d", e.Line)
		if e.Char > 0 {
			fmt.Fprintf(&b, ", character %d", e.Char)
		}
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %q", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Is makes every InputError an ErrInvalidInput.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }
