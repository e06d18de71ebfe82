package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/base"
)

func newBudgetCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "budget",
		Short: "Create a privacy-budget ledger or show what is spent and left",
		Long: fmt.Sprintf(`Every dataset has one ledger file: an append-only, fsync'd record of every
DP release made from it and of the total privacy budget (ε, δ) all releases
together may spend. swd publish refuses a release that would exceed it
(exit status 4) before computing or writing anything.

A ledger that does not exist is created by the first release with the
default total budget ε = %g, δ = %g; create it first with
'swd budget init --total E' to choose another.

  swd budget init --ledger padova.ledger --total 2 [--delta 1e-6]
  swd budget show --ledger padova.ledger [--json]

%s`, dp.DefaultTotalEpsilon, dp.DefaultTotalDelta, exitStatusHelp),
	}
	cmd.AddCommand(newBudgetInitCommand(g), newBudgetShowCommand(g))
	return cmd
}

// BudgetInitOptions are the flags of swd budget init.
type BudgetInitOptions struct {
	Ledger  string
	Total   float64
	Delta   float64
	Dataset string
}

// AddFlags binds the options to fs.
func (o *BudgetInitOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Ledger, "ledger", "", "ledger file to create (must not exist)")
	fs.Float64Var(&o.Total, "total", dp.DefaultTotalEpsilon, "total ε of all releases of the dataset")
	fs.Float64Var(&o.Delta, "delta", dp.DefaultTotalDelta, "total δ of all releases of the dataset")
	fs.StringVar(&o.Dataset, "dataset", "", "name of the dataset (default: the ledger's file name)")
}

func newBudgetInitCommand(g *GlobalOptions) *cobra.Command {
	opts := &BudgetInitOptions{}
	cmd := &cobra.Command{
		Use:   "init --ledger FILE --total E [--delta D]",
		Short: "Create a dataset's ledger with its total privacy budget",
		Long: `Create a new ledger with the total privacy budget of the dataset. An existing
ledger is never overwritten: budget already spent cannot be given back.

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
	if err := dp.InitLedger(opts.Ledger, opts.Dataset, dp.Budget{Epsilon: opts.Total, Delta: opts.Delta}); err != nil {
		return err
	}
	if !g.Quiet {
		fmt.Fprintf(g.Stdout, "created ledger %s: total ε = %g, δ = %g\n", opts.Ledger, opts.Total, opts.Delta)
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
have been seen.

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
		return base.Mark(err, base.ErrInvalidInput)
	}
	if opts.JSON {
		return writeJSON(g.Stdout, s)
	}
	w := tabwriter.NewWriter(g.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "ledger %s (dataset %s)\n", s.Path, s.Dataset)
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
		fmt.Fprintf(w, "\n%d release(s) were interrupted after reserving their budget; it stays spent.\n", len(s.Uncommitted))
	}
	if s.TornTail {
		fmt.Fprintln(w, "\nthe last line is torn (a crash while appending); it is ignored and will be cut off by the next release.")
	}
	return w.Flush()
}
