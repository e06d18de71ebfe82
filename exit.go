package swd

import (
	"context"
	"errors"

	"github.com/welfare-district/swd/dp"
)

// Exit codes of the swd and swd-beam commands, documented in every
// command's help (EXIT STATUS) and in docs/cli.md. Scripts rely on them:
// never renumber.
const (
	ExitOK          = 0   // success
	ExitInternal    = 1   // unexpected failure (a bug, or the system: disk full, I/O error)
	ExitUsage       = 2   // bad command line: unknown flag, missing argument, inconsistent options
	ExitInput       = 3   // bad input data: malformed file, schema mismatch, unknown column
	ExitBudget      = 4   // the release would exceed the privacy budget; nothing was written
	ExitIntegrity   = 5   // security check failed: tampered or mis-addressed file, unknown signer, wrong key, insecure secret file
	ExitInterrupted = 130 // cancelled by SIGINT/SIGTERM; no partial output was left
)

// ExitCode maps an error of the library to the exit code of a command
// (ctx is the command's context: an error after it was cancelled is an
// interruption).
func ExitCode(ctx context.Context, err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		return ExitInterrupted
	case errors.Is(err, dp.ErrBudgetExhausted):
		return ExitBudget
	case errors.Is(err, ErrIntegrity), errors.Is(err, ErrInsecure):
		return ExitIntegrity
	case errors.Is(err, ErrInvalidInput):
		return ExitInput
	case errors.Is(err, ErrUsage):
		return ExitUsage
	default:
		return ExitInternal
	}
}
