package swd_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/welfare-district/swd"
	"github.com/welfare-district/swd/dp"
)

func TestExitCode(t *testing.T) {
	bg := context.Background()
	cancelled, cancel := context.WithCancel(bg)
	cancel()
	for _, tt := range []struct {
		ctx  context.Context
		err  error
		want int
	}{
		{bg, nil, swd.ExitOK},
		{bg, errors.New("disk full"), swd.ExitInternal},
		{bg, fmt.Errorf("flag: %w", swd.ErrUsage), swd.ExitUsage},
		{bg, fmt.Errorf("row 3: %w", swd.ErrInvalidInput), swd.ExitInput},
		{bg, fmt.Errorf("release: %w", dp.ErrBudgetExhausted), swd.ExitBudget},
		{bg, fmt.Errorf("ledger: %w", swd.ErrIntegrity), swd.ExitIntegrity},
		{bg, fmt.Errorf("secret: %w", swd.ErrInsecure), swd.ExitIntegrity},
		{bg, context.Canceled, swd.ExitInterrupted},
		{cancelled, fmt.Errorf("row 3: %w", swd.ErrInvalidInput), swd.ExitInterrupted},
	} {
		if got := swd.ExitCode(tt.ctx, tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
