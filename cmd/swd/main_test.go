package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/base"
)

// runCLI runs the swd command line in-process with captured output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestExitCodeMapping(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want int
	}{
		{"nil", context.Background(), nil, ExitOK},
		{"usage", context.Background(), base.Usagef("bad flag"), ExitUsage},
		{"input", context.Background(), fmt.Errorf("x: %w", &base.InputError{File: "f", Reason: "r"}), ExitInput},
		{"budget", context.Background(), fmt.Errorf("release: %w", dp.ErrBudgetExhausted), ExitBudget},
		{"integrity", context.Background(), base.Mark(errors.New("tampered"), base.ErrIntegrity), ExitIntegrity},
		{"insecure", context.Background(), base.Mark(errors.New("perm"), base.ErrInsecure), ExitIntegrity},
		{"interrupted", canceled, errors.New("anything"), ExitInterrupted},
		{"canceled", context.Background(), fmt.Errorf("x: %w", context.Canceled), ExitInterrupted},
		{"internal", context.Background(), errors.New("boom"), ExitInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.ctx, tt.err); got != tt.want {
				t.Fatalf("exitCode = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestRootFlags(t *testing.T) {
	tests := []struct {
		args []string
		want int
		msg  string
	}{
		{[]string{"--version"}, ExitOK, "swd version"},
		{[]string{"--no-such-flag"}, ExitUsage, "unknown flag"},
		{[]string{"--log-format", "xml", "completion", "bash"}, ExitUsage, "--log-format"},
		{[]string{"--workers", "0", "completion", "bash"}, ExitUsage, "--workers"},
		{[]string{"completion", "bash"}, ExitOK, "bash completion"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.want {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.want, errOut)
			}
			if !strings.Contains(out+errOut, tt.msg) {
				t.Fatalf("output lacks %q: %q %q", tt.msg, out, errOut)
			}
		})
	}
}
