// Command swd-beam runs swd's link and publish as Apache Beam pipelines, for
// linkages that outgrow one machine (10⁷–10⁸ records): Prism in process by
// default, Flink, Spark or Dataflow through Beam's portable runners. It is a
// module of its own so that swd's build stays small. See docs/scale-out.md.
//
//	swd-beam link    --out LINKS.parquet P1.swd.parquet [P2.swd.parquet ...]
//	swd-beam publish --district D --links LINKS --epsilon E --ledger L --out DIR P1.swd.parquet ...
//
// The flags are swd link's and swd publish's, plus Beam's pipeline options
// (--runner, --endpoint, --environment_type, --project, --region,
// --staging_location, …), which may be given before or after the command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/welfare-district/swd"
	"github.com/welfare-district/swd/internal/base"
)

// Exit codes, as swd's (docs/cli.md).
const (
	exitOK          = swd.ExitOK
	exitInternal    = swd.ExitInternal
	exitUsage       = swd.ExitUsage
	exitInterrupted = swd.ExitInterrupted
)

const usage = `swd-beam runs swd link and swd publish as Apache Beam pipelines.

Usage:
  swd-beam link    --out LINKS.parquet [flags] P1.swd.parquet [P2.swd.parquet ...]
  swd-beam publish --district FILE --links LINKS --epsilon E --ledger FILE --out DIR [flags] P1.swd.parquet ...

  swd-beam COMMAND -help   lists the command's flags (swd's, plus Beam's
                           pipeline options such as --runner, default prism)

EXIT STATUS
  0    success
  1    internal error
  2    usage error
  3    invalid input data
  4    privacy budget exhausted (nothing written)
  5    integrity or security check failed
  130  interrupted (no partial output left)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	// The DP library logs through glog, which would write log files into
	// $TMPDIR: send its (few) messages to stderr instead, in the launcher
	// and in every worker (a worker runs this binary too).
	if f := flag.Lookup("logtostderr"); f != nil {
		_ = f.Value.Set("true")
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		// A Beam worker started by a runner's container, or a request for
		// help.
		flag.CommandLine.SetOutput(stderr)
		flag.Usage = func() { fmt.Fprint(stderr, usage) }
		flag.Parse()
		beam.Init() // in worker mode, runs the harness and exits
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var err error
	switch args[0] {
	case "link":
		err = runLink(ctx, args[1:], stdout, stderr, log)
	case "publish":
		err = runPublish(ctx, args[1:], stdout, stderr, log)
	case "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "swd-beam: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "swd-beam %s: %v\n", args[0], err)
	}
	return exitCode(ctx, err)
}

func exitCode(ctx context.Context, err error) int { return swd.ExitCode(ctx, err) }

// newFlagSet returns a flag set for a command that also holds Beam's
// pipeline options (the process-wide flags), so they may follow the
// command.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	flag.CommandLine.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
	return fs
}

// parseInterspersed parses flags and positional arguments in any order, as
// swd's commands accept them, and runs beam.Init.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, base.Usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	beam.Init()
	return pos, nil
}
