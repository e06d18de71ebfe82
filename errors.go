package swd

import "github.com/welfare-district/swd/internal/base"

// The error marks of swd. They are the values internal/base defines, so
// errors.Is(err, swd.ErrInvalidInput) holds for every error any swd package
// marks as invalid input, however it is wrapped.
var (
	// ErrUsage marks an error in how a command or function was called: a bad
	// option value, a missing argument, inconsistent options.
	ErrUsage = base.ErrUsage
	// ErrInvalidInput marks input data that cannot be processed as given: a
	// malformed file, an unknown column, a schema mismatch. Every
	// *InputError is an ErrInvalidInput.
	ErrInvalidInput = base.ErrInvalidInput
	// ErrIntegrity marks data that failed an authenticity or integrity
	// check: a tampered, truncated or mis-addressed sealed file, an unknown
	// signer, a key check value that differs.
	ErrIntegrity = base.ErrIntegrity
	// ErrInsecure marks a refusal for security reasons, such as a secret
	// file that users other than its owner can read.
	ErrInsecure = base.ErrInsecure
)

// InputError locates a problem in an input table: the file, the 1-based
// data row (0 when the problem is not a row's) and the column (empty when
// not a column's), and what is wrong in general terms. It never carries the
// offending value, which may be personal data. Every InputError is an
// ErrInvalidInput.
type InputError = base.InputError
