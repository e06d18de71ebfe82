package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
)

func newBudgetCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "budget",
		Short: "Create a privacy-budget ledger or show what is spent and left",
		Long: `Every dataset has one ledger file: an append-only, fsync'd record of every
DP release made from it and of the total privacy budget (ε, δ) all releases
together may spend. swd publish refuses a release that would exceed it
(exit status 4) before computing or writing anything.

'swd budget init' is the only way to create a ledger, once per dataset:
swd publish refuses a ledger that does not exist (exit status 2). Beside
the ledger it writes LEDGER.head, which records the last entry: keep (and
back up) the two files together. Each entry names the hash of the one
before it; with --key (the linkage unit's identity, from 'swd keys new')
every entry and the head are also signed, and releases need that key.
A damaged, truncated or edited ledger, or one whose head file is missing,
is refused by every command (exit status 5), never repaired. The first
release binds the ledger to its dataset (key check value, schema
fingerprint, partners of the encoded files).

  swd budget init --ledger padova.ledger --total 2 [--delta 1e-6] [--key unit.key]
  swd budget show --ledger padova.ledger [--json]
  swd budget verify --ledger padova.ledger [--key unit.pub] [--release DIR ...]

` + exitStatusHelp,
	}
	cmd.AddCommand(newBudgetInitCommand(g), newBudgetShowCommand(g), newBudgetVerifyCommand(g))
	return cmd
}

// BudgetInitOptions are the flags of swd budget init.
type BudgetInitOptions struct {
	Ledger  string
	Total   float64
	Delta   float64
	Dataset string
	Key     string
}

// AddFlags binds the options to fs.
func (o *BudgetInitOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Ledger, "ledger", "", "ledger file to create (must not exist)")
	fs.Float64Var(&o.Total, "total", dp.DefaultTotalEpsilon, "total ε of all releases of the dataset")
	fs.Float64Var(&o.Delta, "delta", dp.DefaultTotalDelta, "total δ of all releases of the dataset")
	fs.StringVar(&o.Dataset, "dataset", "", "name of the dataset (default: the ledger's file name)")
	fs.StringVar(&o.Key, "key", "", "the linkage unit's private key (swd keys new): sign every entry; releases then need it")
}

func newBudgetInitCommand(g *GlobalOptions) *cobra.Command {
	opts := &BudgetInitOptions{}
	cmd := &cobra.Command{
		Use:   "init --ledger FILE --total E [--delta D]",
		Short: "Create a dataset's ledger with its total privacy budget",
		Long: `Create a new ledger (and its head file, LEDGER.head) with the total privacy
budget of the dataset. An existing ledger is never overwritten: budget
already spent cannot be given back; nor is one created where a head file
shows that a ledger with releases was deleted. With --key, the ledger is
signed: every entry and the head carry the key's signature, and swd
publish needs the same --key.

` + exitStatusHelp,
		Args: cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if opts.Ledger == "" {
				return base.Usagef("--ledger is required")
			}
			if !(opts.Total > 0) {
				return base.Usagef("--total must be a positive ε")
			}
			if !(opts.Delta >= 0 && opts.Delta < 1) {
				return base.Usagef("--delta must be in [0, 1)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBudgetInit(cmd.Context(), opts, g, args)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runBudgetInit(_ context.Context, opts *BudgetInitOptions, g *GlobalOptions, _ []string) error {
	key, err := identity.LoadPrivateArg("--key", opts.Key)
	if err != nil {
		return err
	}
	if err := dp.InitLedger(opts.Ledger, opts.Dataset, dp.Budget{Epsilon: opts.Total, Delta: opts.Delta}, key); err != nil {
		return err
	}
	if !g.Quiet {
		fmt.Fprintf(g.Stdout, "created ledger %s (head %s): total ε = %g, δ = %g\n", opts.Ledger, dp.HeadPath(opts.Ledger), opts.Total, opts.Delta)
		if key != nil {
			fmt.Fprintf(g.Stdout, "signed by key %s (%s)\n", key.ID(), key.Name)
		}
	}
	return nil
}

// BudgetShowOptions are the flags of swd budget show.
type BudgetShowOptions struct {
	Ledger string
	JSON   bool
}

// AddFlags binds the options to fs.
func (o *BudgetShowOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Ledger, "ledger", "", "ledger file")
	fs.BoolVar(&o.JSON, "json", false, "print JSON")
}

func newBudgetShowCommand(g *GlobalOptions) *cobra.Command {
	opts := &BudgetShowOptions{}
	cmd := &cobra.Command{
		Use:   "show --ledger FILE [--json]",
		Short: "Show the total, spent and remaining budget and every release",
		Long: `Show a ledger: its total budget, what is spent and left, and every release
(id, time, ε, δ, queries, state). A release marked "pending" was interrupted
after it reserved its budget: its budget stays spent, since its noise may
have been seen. The ledger is verified first (as by 'swd budget verify',
without its options): a damaged, truncated or edited one is refused.

` + exitStatusHelp,
		Args: cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if opts.Ledger == "" {
				return base.Usagef("--ledger is required")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBudgetShow(cmd.Context(), opts, g, args)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runBudgetShow(ctx context.Context, opts *BudgetShowOptions, g *GlobalOptions, _ []string) error {
	s, err := dp.ReadLedger(ctx, opts.Ledger)
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(g.Stdout, s)
	}
	w := tabwriter.NewWriter(g.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "ledger %s (dataset %s)\n", s.Path, s.Dataset)
	printChain(w, s)
	fmt.Fprintf(w, "\tε\tδ\n")
	fmt.Fprintf(w, "total\t%g\t%g\n", s.Total.Epsilon, s.Total.Delta)
	fmt.Fprintf(w, "spent\t%g\t%g\n", s.Spent.Epsilon, s.Spent.Delta)
	fmt.Fprintf(w, "left\t%g\t%g\n", s.Left.Epsilon, s.Left.Delta)
	if len(s.Releases) > 0 {
		fmt.Fprintf(w, "\nRELEASE\tTIME\tε\tδ\tSTATE\tQUERIES\n")
		for _, r := range s.Releases {
			fmt.Fprintf(w, "%s\t%s\t%g\t%g\t%s\t%s\n", r.ID, r.Time, r.Cost.Epsilon, r.Cost.Delta, r.State, strings.Join(r.Queries, ","))
		}
	}
	if len(s.Uncommitted) > 0 {
		fmt.Fprintf(w, "\n%s interrupted after reserving its budget; it stays spent.\n", plural(len(s.Uncommitted), "release was", "releases were"))
	}
	if s.TornTail {
		fmt.Fprintln(w, "\nthe last line is torn (a crash while appending); it is ignored and will be cut off by the next release.")
	}
	return w.Flush()
}

// printChain prints what identifies the ledger and its state.
func printChain(w io.Writer, s *dp.Status) {
	fmt.Fprintf(w, "ledger id %s; %d entries, head %s\n", s.LedgerID, s.Entries, s.Head)
	if s.Signer != "" {
		fmt.Fprintf(w, "signed by key %s (%s)\n", s.Signer, s.SignerName)
	} else {
		fmt.Fprintln(w, "not signed (hash-chained only)")
	}
	if b := s.Binding; b != nil {
		fmt.Fprintf(w, "dataset: partners %s; schema %.12s…, key check %.12s…\n", strings.Join(b.Partners, ","), b.SchemaFingerprint, b.KeyCheck)
	}
}

// BudgetVerifyOptions are the flags of swd budget verify.
type BudgetVerifyOptions struct {
	Ledger   string
	Key      string
	Releases []string
	JSON     bool
}

// AddFlags binds the options to fs.
func (o *BudgetVerifyOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Ledger, "ledger", "", "ledger file")
	fs.StringVar(&o.Key, "key", "", "the key the ledger must be signed with (.pub or .key file)")
	fs.StringArrayVar(&o.Releases, "release", nil, "a release directory (or its release.json) whose ledger head the ledger must hold (repeatable)")
	fs.BoolVar(&o.JSON, "json", false, "print the ledger's status as JSON")
}

func newBudgetVerifyCommand(g *GlobalOptions) *cobra.Command {
	opts := &BudgetVerifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify --ledger FILE [--key KEY] [--release DIR ...]",
		Short: "Verify a ledger: hash chain, head, signatures, and published releases",
		Long: `Verify a ledger without changing it: every entry's checksum, the hash
chain, the head file (so that removed entries are detected), the
signatures of a signed ledger, the consistency of the releases and of
their dataset. Exit status 5 says what is wrong.

--key pins the signing key: without it, a signed ledger is checked against
the key its first entry names, which shows only that one key signed it all
(compare the key id printed with the linkage unit's). With --key, an
unsigned ledger is refused too.

--release checks a published release against the ledger: its release.json
records the ledger's id and head after the release, and the ledger must
still hold that entry. Published releases are witnesses the ledger's owner
cannot recall: they catch a ledger truncated or rewritten after them, even
by someone who could rewrite both the ledger and its head file.

` + exitStatusHelp,
		Args: cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if opts.Ledger == "" {
				return base.Usagef("--ledger is required")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBudgetVerify(cmd.Context(), opts, g, args)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runBudgetVerify(ctx context.Context, opts *BudgetVerifyOptions, g *GlobalOptions, _ []string) error {
	vo := dp.VerifyOptions{Releases: opts.Releases}
	if opts.Key != "" {
		pub, _, err := loadAnyKey(opts.Key)
		if err != nil {
			return err
		}
		vo.Key = pub
	}
	s, err := dp.VerifyLedger(ctx, opts.Ledger, vo)
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(g.Stdout, s)
	}
	if g.Quiet {
		return nil
	}
	printChain(g.Stdout, s)
	fmt.Fprintf(g.Stdout, "ok: %s, spent ε = %g of %g", plural(len(s.Releases), "release", "releases"), s.Spent.Epsilon, s.Total.Epsilon)
	if n := len(opts.Releases); n > 0 {
		fmt.Fprintf(g.Stdout, "; %s checked against the chain", plural(n, "release", "releases"))
	}
	fmt.Fprintln(g.Stdout)
	if s.TornTail {
		fmt.Fprintln(g.Stdout, "the last line is torn (a crash while appending); the next release cuts it off.")
	}
	return nil
}
