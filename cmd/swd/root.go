package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/pipeline"
)

// GlobalOptions are the flags every command shares.
type GlobalOptions struct {
	Quiet      bool
	LogFormat  string
	LogLevel   string
	Workers    int
	CPUProfile string

	Stdout io.Writer
	Stderr io.Writer
	Logger *slog.Logger

	profile *os.File
}

// AddFlags binds the global flags.
func (g *GlobalOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&g.Quiet, "quiet", "q", false, "print only errors (no progress, no summaries)")
	fs.StringVar(&g.LogFormat, "log-format", "text", "log format on stderr: text or json")
	fs.StringVar(&g.LogLevel, "log-level", "", "log level: debug, info, warn or error (default: warn on a terminal, info otherwise)")
	fs.IntVar(&g.Workers, "workers", runtime.NumCPU(), "worker goroutines for parallel work (default: all cores)")
	fs.StringVar(&g.CPUProfile, "cpuprofile", "", "write a CPU profile (pprof) of the command to this file")
	_ = fs.MarkHidden("cpuprofile")
}

func (g *GlobalOptions) validate() error {
	switch g.LogFormat {
	case "text", "json":
	default:
		return base.Usagef("--log-format must be text or json, not %q", g.LogFormat)
	}
	if g.Workers < 1 {
		return base.Usagef("--workers must be at least 1")
	}
	logger, err := newLogger(g)
	if err != nil {
		return err
	}
	g.Logger = logger
	return g.startProfile()
}

func newRootCommand(g *GlobalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "swd",
		Short: "Privacy-preserving record linkage and DP statistics for welfare districts",
		Long: `swd links household records held by the partners of a welfare district
without revealing who their people are, and publishes what the linked data
says about needs only as differentially private statistics.

  swd encode   at each partner: export → keyed Bloom-filter encodings
  swd link     at the linkage unit: encodings → links (persons, households)
  swd publish  for researchers: links → DP tables, report, ledger entry

` + exitStatusHelp,
		Version:           pipeline.Version(),
		SilenceErrors:     true,
		SilenceUsage:      true,
		PersistentPreRunE: func(*cobra.Command, []string) error { return g.validate() },
	}
	g.AddFlags(root.PersistentFlags())
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return base.Mark(err, base.ErrUsage) })
	// Every subcommand, one constructor per cmd_<verb>.go, in the order of
	// the work (cobra lists them alphabetically in --help).
	root.AddCommand(
		// the pipeline
		newSynthCommand(g),
		newKeygenCommand(g),
		newEncodeCommand(g),
		newInspectCommand(g),
		newLinkCommand(g),
		newStateCommand(g),
		newEvalCommand(g),
		newPublishCommand(g),
		newBudgetCommand(g),
		newTaxonomyCommand(g),
		newDistrictCommand(g),
		// key custody and sealed exchange
		newKeysCommand(g),
		newSecretCommand(g),
		newKeyserverCommand(g),
		// the privacy audit
		newAuditCommand(g),
	)
	return root
}

// isCobraUsage recognises the argument errors cobra produces itself.
func isCobraUsage(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") ||
		strings.HasPrefix(msg, "accepts ") ||
		strings.HasPrefix(msg, "requires at least") ||
		strings.HasPrefix(msg, "requires at most") ||
		strings.HasPrefix(msg, "required flag")
}

// writeJSON prints v as indented JSON, the form of every --json output.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
