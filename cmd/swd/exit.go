package main

import (
	"context"

	"github.com/welfare-district/swd"
)

// Exit codes, documented in every command's help (EXIT STATUS) and in
// docs/cli.md; the library's swd.ExitCode maps errors to them. Scripts rely
// on them: never renumber.
const (
	ExitOK          = swd.ExitOK
	ExitInternal    = swd.ExitInternal
	ExitUsage       = swd.ExitUsage
	ExitInput       = swd.ExitInput
	ExitBudget      = swd.ExitBudget
	ExitIntegrity   = swd.ExitIntegrity
	ExitInterrupted = swd.ExitInterrupted
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
// where errors become exit codes: swd.ExitCode, and cobra's own flag and
// argument errors as usage errors.
func exitCode(ctx context.Context, err error) int {
	code := swd.ExitCode(ctx, err)
	if code == ExitInternal && isCobraUsage(err) {
		return ExitUsage
	}
	return code
}
