package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/incremental"
	"github.com/welfare-district/swd/pipeline/state"
)

func newStateCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Show a linkage state, a person's or household's history, or erase records",
		Long: `A linkage state is the directory swd link --state keeps between periods:
every record seen with its stable person and household ids, the accepted
links, the events of every period (open, close, merge, split), the model and
each partner's current encodings, under a checked manifest.

  swd state show --state DIR [--json]
  swd state history --state DIR (--person ID | --household ID) [--json]
  swd state erase --state DIR --partner P --ids FILE

` + exitStatusHelp,
	}
	cmd.AddCommand(newStateShowCommand(g), newStateHistoryCommand(g), newStateEraseCommand(g))
	return cmd
}

// StateShowOptions are the flags of swd state show.
type StateShowOptions struct {
	Dir  string
	JSON bool
}

// AddFlags binds the options to fs.
func (o *StateShowOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Dir, "state", "", "linkage state directory")
	fs.BoolVar(&o.JSON, "json", false, "print JSON")
}

func newStateShowCommand(g *GlobalOptions) *cobra.Command {
	opts := &StateShowOptions{}
	cmd := &cobra.Command{
		Use:   "show --state DIR [--json]",
		Short: "Show what the state holds per period, and its log",
		Long: `Check the state against its manifest and show it: the last period, the
partners, the records (open and closed), and per period the records new,
changed, reopened and closed, the persons, households and events, and the
households new, closed and intercepted (known only to the third sector the
period before, to a public service now; exact counts, for the linkage unit,
not for publication); then the log of runs and erasures (counts only).

` + exitStatusHelp,
		Args: cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if opts.Dir == "" {
				return base.Usagef("--state is required")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return runStateShow(cmd.Context(), opts, g) },
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runStateShow(ctx context.Context, opts *StateShowOptions, g *GlobalOptions) error {
	s, err := state.Show(ctx, opts.Dir)
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(g.Stdout, s)
	}
	fmt.Fprintf(g.Stdout, "state %s: generation %d, last period %s\n", s.Dir, s.Generation, s.Period)
	fmt.Fprintf(g.Stdout, "records: %d (%d open), accepted links: %d, partners:", s.Records, s.Open, s.Links)
	for _, p := range s.Partners {
		fmt.Fprintf(g.Stdout, " %s (%d)", p.Name, p.Rows)
	}
	fmt.Fprintln(g.Stdout)
	tw := tabwriter.NewWriter(g.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "period\trecords\tnew\tchanged\treopened\tclosed\tpersons\thouseholds\tevents\thh new\thh closed\tintercepted\tmodel\t")
	for _, p := range s.Periods {
		model := "reused"
		if p.Refit {
			model = "fitted"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", p.Period, p.Records, p.New, p.Changed, p.Reopened, p.Closed,
			p.Persons, p.Households, p.Events, p.Flows[state.FlowNew], p.Flows[state.FlowClosed], p.Flows[state.FlowIntercepted], model)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(g.Stdout, "log:")
	for _, e := range s.Log {
		what := e.Period
		if e.Action == "erase" {
			what = "partner " + e.Partner
		}
		fmt.Fprintf(g.Stdout, "  %s  %-5s  %s  %d records\n", e.Time.Format(time.RFC3339), e.Action, what, e.Records)
	}
	return nil
}

// StateHistoryOptions are the flags of swd state history.
type StateHistoryOptions struct {
	Dir       string
	Person    int64
	Household int64
	JSON      bool
}

// AddFlags binds the options to fs.
func (o *StateHistoryOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Dir, "state", "", "linkage state directory")
	fs.Int64Var(&o.Person, "person", -1, "person id (cluster_id of the links files)")
	fs.Int64Var(&o.Household, "household", -1, "household id (household_id of the links files)")
	fs.BoolVar(&o.JSON, "json", false, "print JSON")
}

func newStateHistoryCommand(g *GlobalOptions) *cobra.Command {
	opts := &StateHistoryOptions{}
	cmd := &cobra.Command{
		Use:   "history --state DIR (--person ID | --household ID) [--json]",
		Short: "Show the events of a person or household and its records",
		Long: `Show the history of one person or household by its stable id: every event
naming it (open, split, merge, close, with the other id involved) and the
records it holds (partner, record id, first and last period, open or
closed). Ids and record ids are pseudonymous, as in the links files.

` + exitStatusHelp,
		Args: cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			switch {
			case opts.Dir == "":
				return base.Usagef("--state is required")
			case (opts.Person < 0) == (opts.Household < 0):
				return base.Usagef("give one of --person and --household")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return runStateHistory(cmd.Context(), opts, g) },
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runStateHistory(ctx context.Context, opts *StateHistoryOptions, g *GlobalOptions) error {
	level, id := incremental.LevelPerson, opts.Person
	if opts.Household >= 0 {
		level, id = incremental.LevelHousehold, opts.Household
	}
	h, err := state.HistoryOf(ctx, opts.Dir, level, id)
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(g.Stdout, h)
	}
	fmt.Fprintf(g.Stdout, "%s %d: %d events, %d records\n", level, id, len(h.Events), len(h.Records))
	for _, e := range h.Events {
		line := fmt.Sprintf("  %s  %-5s %d", e.Period, e.Kind, e.ID)
		if e.Other >= 0 {
			line += fmt.Sprintf(" → %d", e.Other)
		}
		fmt.Fprintln(g.Stdout, line)
	}
	for _, r := range h.Records {
		status := "open"
		if !r.Open {
			status = "closed"
		}
		fmt.Fprintf(g.Stdout, "  %s %s  %s..%s  %s\n", r.Partner, r.RecordID, r.FirstPeriod, r.LastPeriod, status)
	}
	return nil
}

// StateEraseOptions are the flags of swd state erase.
type StateEraseOptions struct {
	Dir     string
	Partner string
	IDs     string
}

// AddFlags binds the options to fs.
func (o *StateEraseOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Dir, "state", "", "linkage state directory")
	fs.StringVar(&o.Partner, "partner", "", "the partner whose records are erased")
	fs.StringVar(&o.IDs, "ids", "", "file of the partner's record ids to erase, one per line")
}

func newStateEraseCommand(g *GlobalOptions) *cobra.Command {
	opts := &StateEraseOptions{}
	cmd := &cobra.Command{
		Use:   "erase --state DIR --partner P --ids FILE",
		Short: "Erase a partner's records from the state for good (GDPR art. 17)",
		Long: `Remove a partner's records from the linkage state for good: their rows, every
accepted link touching them and their encodings. The state's previous
generation, which still held them, is deleted. The log gets an entry with
the partner and the number of records erased, never an id. The persons and
households they belonged to keep their ids.

The partner must also delete the records from its own system: a later
snapshot that still holds them brings them back as new records.

` + exitStatusHelp,
		Args: cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if opts.Dir == "" || opts.Partner == "" || opts.IDs == "" {
				return base.Usagef("--state, --partner and --ids are required")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return runStateErase(cmd.Context(), opts, g) },
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runStateErase(ctx context.Context, opts *StateEraseOptions, g *GlobalOptions) error {
	ids, err := readIDs(opts.IDs)
	if err != nil {
		return err
	}
	res, err := state.Erase(ctx, opts.Dir, opts.Partner, ids, time.Now())
	if err != nil || g.Quiet {
		return err
	}
	fmt.Fprintf(g.Stdout, "erased %d of %d records of partner %s (state generation %d)\n", res.Erased, res.Requested, res.Partner, res.Generation)
	return nil
}

// readIDs reads a file of record ids, one per line (blank lines skipped).
func readIDs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, base.Usagef("--ids: %v", err)
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if id := strings.TrimSpace(sc.Text()); id != "" {
			ids = append(ids, id)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return ids, nil
}
