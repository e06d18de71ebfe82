// Package benchcmd is the shared main of the commands under bench/: each
// binds its flags into a bench.XConfig and hands the measurement to Main,
// which runs it with a context cancelled on Ctrl-C and prints its result.
package benchcmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// Table is a measurement result that can print itself for people. Every
// result is also printed as JSON (its struct tags).
type Table interface {
	WriteTable(io.Writer) error
}

// Main runs measure with a context cancelled on SIGINT and prints the
// result on stdout: one JSON object when asJSON, else the table. It
// returns the process exit status: 0, or 1 once the error, prefixed with
// name, is printed on stderr.
func Main[R Table](name string, asJSON bool, measure func(context.Context) (R, error)) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return run(ctx, os.Stdout, os.Stderr, name, asJSON, measure)
}

func run[R Table](ctx context.Context, stdout, stderr io.Writer, name string, asJSON bool, measure func(context.Context) (R, error)) int {
	res, err := measure(ctx)
	if err == nil {
		if asJSON {
			err = json.NewEncoder(stdout).Encode(res)
		} else {
			err = res.WriteTable(stdout)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}
