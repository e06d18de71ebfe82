package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage/eval"
)

// EvalOptions are the flags of swd eval.
type EvalOptions struct {
	Links       string
	Truth       string
	TruthFormat string
	TruthSource string
	JSON        bool
}

// AddFlags binds the options to fs.
func (o *EvalOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Links, "links", "", "links file (Parquet, or CSV when it ends in .csv)")
	fs.StringVar(&o.Truth, "truth", "", "ground-truth file (synth, csv, rldata, splink formats)")
	fs.StringVar(&o.TruthFormat, "truth-format", "synth", "ground truth convention: "+strings.Join(eval.TruthFormats(), "|"))
	fs.StringVar(&o.TruthSource, "truth-source", "", "ncvoter/ncvr: the partners' original CSV files, A.csv,B.csv or partner=A.csv,...")
	fs.BoolVar(&o.JSON, "json", false, "print the report as JSON")
}

func (o *EvalOptions) validate() error {
	if o.Links == "" {
		return base.Usagef("--links is required")
	}
	if !slices.Contains(eval.TruthFormats(), o.TruthFormat) {
		return base.Usagef("--truth-format must be one of %s, not %q", strings.Join(eval.TruthFormats(), ", "), o.TruthFormat)
	}
	needsFile := o.TruthFormat == "synth" || o.TruthFormat == "csv" || o.TruthFormat == "rldata" || o.TruthFormat == "splink"
	switch {
	case needsFile && o.Truth == "":
		return base.Usagef("--truth-format %s needs --truth FILE", o.TruthFormat)
	case !needsFile && o.Truth != "":
		return base.Usagef("--truth-format %s takes no --truth file (use --truth-source for ncvoter/ncvr)", o.TruthFormat)
	case o.TruthSource != "" && o.TruthFormat != "ncvoter" && o.TruthFormat != "ncvr":
		return base.Usagef("--truth-source applies to --truth-format ncvoter or ncvr only")
	}
	return nil
}

func newEvalCommand(g *GlobalOptions) *cobra.Command {
	opts := &EvalOptions{}
	cmd := &cobra.Command{
		Use:   "eval --links LINKS [--truth T] [--truth-format F]",
		Short: "Measure linkage quality against ground truth",
		Long: `Compare a links file with ground truth: pairwise precision, recall and F1
for persons (records in the same cluster) and households, exact cluster
matches and B-cubed.

Ground-truth formats:
  synth    truth.csv of swd synth: partner,record_id,person_id,household_id
  csv      any CSV with record_id and person_id (or entity_id, cluster);
           partner and household_id optional
  febrl    none: rec-N-org and rec-N-dup-K are entity N
  ncvoter  none when record ids are ncids; else --truth-source A.csv,B.csv
           (or partnerA=A.csv,...) maps ncid and 1-based row numbers to ncid
  ncvr     none: the same recid across parties; or --truth-source as above
  rldata   --truth identity.RLdataN.csv: record id i (1-based row) is row i
  splink   --truth the data set CSV (unique_id and cluster columns)

Records the truth does not know are left out; records the truth names with
their partner but absent from the links count as unlinked.

` + exitStatusHelp,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return opts.validate() },
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEval(cmd.Context(), opts, g, args)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runEval(ctx context.Context, opts *EvalOptions, g *GlobalOptions, _ []string) error {
	links, _, err := linksfile.ReadAny(opts.Links)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	truth, err := eval.LoadTruth(opts.TruthFormat, opts.Truth, opts.TruthSource)
	if err != nil {
		return err
	}
	rep, err := eval.Evaluate(links, truth)
	if err != nil {
		return err
	}
	g.Logger.Info("evaluated", "records", rep.Records, "evaluated", rep.Evaluated, "not_in_truth", rep.NotInTruth, "missing_from_links", rep.MissingFromLinks)
	if opts.JSON {
		return writeJSON(g.Stdout, rep)
	}
	return printEval(g.Stdout, rep)
}

func printEval(w io.Writer, rep eval.Report) error {
	fmt.Fprintf(w, "records %d: evaluated %d, not in truth %d, missing from links %d\n\n",
		rep.Records, rep.Evaluated, rep.NotInTruth, rep.MissingFromLinks)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "level\tmeasure\tprecision\trecall\tf1\tdetail")
	row := func(level, measure string, s eval.Scores, detail string) {
		fmt.Fprintf(tw, "%s\t%s\t%.4f\t%.4f\t%.4f\t%s\n", level, measure, s.Precision, s.Recall, s.F1, detail)
	}
	levels := []struct {
		name string
		lv   *eval.Level
	}{{"person", &rep.Person}, {"household", rep.Household}}
	for _, l := range levels {
		if l.lv == nil {
			continue
		}
		p, c := l.lv.Pairs, l.lv.Clusters
		row(l.name, "pairwise", p.Scores, fmt.Sprintf("tp %d fp %d fn %d", p.TruePositives, p.FalsePositives, p.FalseNegatives))
		row(l.name, "exact clusters", c.ExactScores, fmt.Sprintf("exact %d of %d predicted, %d true", c.Exact, c.Predicted, c.True))
		row(l.name, "b-cubed", c.BCubed, "")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, l := range levels {
		if l.lv == nil {
			continue
		}
		c := l.lv.Clusters
		fmt.Fprintf(w, "\n%s: %d of %d true split (%.2f%%, at most %d parts), %d of %d linked merge several true (%.2f%%)",
			l.name, c.Split, c.True, 100*c.SplitRate, c.MaxParts, c.Merged, c.Predicted, 100*c.MergeRate)
	}
	if hc := rep.HouseholdCauses; hc != nil {
		fmt.Fprintf(w, "\nhousehold pairs missed: %d across a split person, %d between parts sharing no person (co-residence only); "+
			"false: %d through a merged person, %d through partner household ids",
			hc.SplitByPerson, hc.SplitNoPerson, hc.MergedByPerson, hc.MergedByHouseholdID)
	}
	_, err := fmt.Fprintln(w)
	return err
}
