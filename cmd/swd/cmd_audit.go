package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/pipeline"
)

// AuditOptions are the flags of swd audit.
type AuditOptions struct {
	Export string
	Public string
	Fields []string
	Align  int
	JSON   bool
}

// AddFlags binds the options to fs.
func (o *AuditOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Export, "export", "", "the partner export the file was encoded from (ground truth for scoring; CSV, Parquet or Arrow)")
	fs.StringVar(&o.Public, "public", "", "the attacker's public name list: a table with columns name,count, or any table with the field's column (frequencies are counted)")
	fs.StringSliceVar(&o.Fields, "field", nil, "name fields to attack (default: every field of kind name)")
	fs.IntVar(&o.Align, "align", pipeline.DefaultAlign, "most frequent filters aligned with the most frequent public names")
	fs.BoolVar(&o.JSON, "json", false, "print the results as JSON")
}

func newAuditCommand(g *GlobalOptions) *cobra.Command {
	opts := &AuditOptions{}
	cmd := &cobra.Command{
		Use:   "audit FILE --export EXPORT --public LIST [--field NAME]",
		Short: "Attack an encoded file as the linkage unit could, and report the share re-identified",
		Long: `Run a frequency and pattern-mining attack (Christen, Vidanage, Schnell) on
the name-field filters of an encoded file, with what the linkage unit has:
the file, its schema (in the file's metadata) and a public list of name
frequencies. Identical filters encode identical names, so the most
frequent filters are aligned with the most frequent public names; bit
positions of q-grams are then mined from the aligned filters and every
filter is matched against the predicted filters of all public names.

The export the file was encoded from is used only to score the attack: a
record counts as re-identified when the attack recovers its true
(normalised) value. Run it on your own file before sending it, to see the
risk of a schema and of its hardening options. Prints one row per field
and the share of records with at least one name field recovered; nothing
personal is printed.

A second table bounds what frequency alignment alone could learn from
every column of encodings (the CLK, each blocking key, each field filter):
groups of equal encodings are equal values, and an attacker who knows the
exact distribution of the plaintext values identifies a group whose size
no other group shares. A high rate on a field with few values (sex, a
state) means its value is readable; on a name field or a blocking key
built from names, it means names leak by frequency. See
docs/threat-model.md and docs/audit.md.

` + exitStatusHelp,
		Args: cobra.ExactArgs(1),
		PreRunE: func(*cobra.Command, []string) error {
			if opts.Export == "" || opts.Public == "" {
				return base.Usagef("audit: --export and --public are required")
			}
			if opts.Align < 1 {
				return base.Usagef("audit: --align must be at least 1")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runAudit(cmd.Context(), opts, g, args) },
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runAudit(ctx context.Context, opts *AuditOptions, g *GlobalOptions, args []string) error {
	bars := newStageBars(g)
	rep, err := pipeline.Audit(ctx, pipeline.AuditConfig{File: args[0], Export: opts.Export, Public: opts.Public,
		Fields: opts.Fields, Align: opts.Align, Logger: g.Logger, Progress: bars.update})
	bars.finish()
	if err != nil {
		return err
	}
	return printAudit(g.Stdout, rep, opts.JSON)
}

func printAudit(w io.Writer, rep *pipeline.AuditReport, asJSON bool) error {
	if asJSON {
		return writeJSON(w, rep)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "field\tattacked\tdistinct filters\tgroups\taligned\tq-grams located\tre-identified\tby frequency alone\trate\t")
	for _, f := range rep.Fields {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.2f%%\t\n", f.Field, f.Attacked, f.Distinct, f.Groups, f.Aligned, f.Located,
			f.Reidentified, f.FrequencyReidentified, 100*f.Rate)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "records with at least one name recovered: %.2f%% of %d\n\n", 100*rep.AnyField, rep.Records); err != nil {
		return err
	}
	fmt.Fprintln(w, "exposure to frequency alignment alone, by an attacker knowing the exact plaintext distribution of each column:")
	fmt.Fprintln(tw, "column\tpresent\tdistinct\tlargest group\texposed records\trate\t")
	for _, e := range rep.Exposure {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%.2f%%\t\n", e.Column, e.Present, e.Distinct, e.Largest, e.Exposed, 100*e.Rate)
	}
	return tw.Flush()
}
