package main

import (
	"context"
	"errors"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/base"
)

// Exit codes, documented in every command's help (EXIT STATUS) and in
// docs/cli.md. Scripts rely on them: never renumber.
const (
	ExitOK          = 0   // success
	ExitInternal    = 1   // unexpected failure (a bug, or the system: disk full, I/O error)
	ExitUsage       = 2   // bad command line: unknown flag, missing argument, inconsistent options
	ExitInput       = 3   // bad input data: malformed file, schema mismatch, unknown column
	ExitBudget      = 4   // the release would exceed the privacy budget; nothing was written
	ExitIntegrity   = 5   // security check failed: tampered or mis-addressed file, unknown signer, wrong key, insecure secret file
	ExitInterrupted = 130 // cancelled by SIGINT/SIGTERM; no partial output was left
)

const exitStatusHelp = `EXIT STATUS
  0    success
  1    internal error
  2    usage error
  3    invalid input data
  4    privacy budget exhausted (nothing written)
  5    integrity or security check failed
  130  interrupted (no partial output left)`

// exitCode maps an error to the process exit code. It is the only place
// where errors become exit codes.
func exitCode(ctx context.Context, err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		return ExitInterrupted
	case errors.Is(err, dp.ErrBudgetExhausted):
		return ExitBudget
	case errors.Is(err, base.ErrIntegrity), errors.Is(err, base.ErrInsecure):
		return ExitIntegrity
	case errors.Is(err, base.ErrInvalidInput):
		return ExitInput
	case errors.Is(err, base.ErrUsage), isCobraUsage(err):
		return ExitUsage
	default:
		return ExitInternal
	}
}
