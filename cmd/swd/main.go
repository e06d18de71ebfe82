// Command swd links welfare-district records with privacy-preserving
// encodings and publishes differentially private statistics.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line and returns the process exit code. Tests
// call it directly with captured output.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := &GlobalOptions{Stdout: stdout, Stderr: stderr}
	root := newRootCommand(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	g.stopProfile()
	if err == nil {
		return ExitOK
	}
	code := exitCode(ctx, err)
	if g.Logger != nil && g.LogFormat == "json" {
		g.Logger.Error("command failed", "error", err.Error(), "exit_code", code)
	} else {
		fmt.Fprintf(stderr, "swd: %v\n", err)
	}
	return code
}
