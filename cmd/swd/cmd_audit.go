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
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/audit"
	"github.com/welfare-district/swd/pipeline"
)

// AuditOptions are the flags of swd audit.
type AuditOptions struct {
	Export        string
	Public        string
	Fields        []string
	Attacks       []string
	Align         int
	Sample        int
	HouseholdAttr string
	JSON          bool
}

// AddFlags binds the options to fs.
func (o *AuditOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Export, "export", "", "the partner export the file was encoded from (ground truth for scoring; CSV, Parquet or Arrow)")
	fs.StringVar(&o.Public, "public", "", "the attacker's public reference: a table with columns name,count, or any table with the field's column (frequencies are counted)")
	fs.StringSliceVar(&o.Fields, "field", nil, "fields to attack: names, addresses or text (default: every field of kind name)")
	fs.StringSliceVar(&o.Attacks, "attack", nil, "attacks to run (default: all): "+strings.Join(audit.Attacks, ", "))
	fs.IntVar(&o.Align, "align", pipeline.DefaultAlign, "most frequent filters aligned with the most frequent public names")
	fs.IntVar(&o.Sample, "sample", pipeline.DefaultSample, "records attacked by the graph matching attack (whole salt cohorts for salted fields)")
	fs.StringVar(&o.HouseholdAttr, "household-attr", linkage.DefaultHouseholdAttr, "attribute holding the partner's household id (reported as household size)")
	fs.BoolVar(&o.JSON, "json", false, "print the results as JSON")
}

func newAuditCommand(g *GlobalOptions) *cobra.Command {
	opts := &AuditOptions{}
	cmd := &cobra.Command{
		Use:   "audit FILE --export EXPORT --public LIST [--field NAME] [--attack NAME]",
		Short: "Attack an encoded file as the linkage unit could, and report the share re-identified",
		Long: `Attack the name-field filters (and the CLK and blocking keys) of an encoded
file with what the linkage unit has: the file, its schema (in the file's
metadata) and a public reference of name frequencies. Six attacks, each
reported with the share of records it re-identifies, and the worst of them:

  frequency              identical filters encode identical names: the most
                         frequent filters are aligned with the most frequent
                         public names, then q-gram positions are mined from
                         the aligned filters (Kuzu; Christen, Vidanage, Schnell)
  cohort                 records with identical salted filters share the salt:
                         ANDing their (unsalted) salt-source filters reveals the
                         salt (the birth year), which splits the file into
                         cohorts where the frequency attack works again
  pattern-mining-fields  frequent bit-pattern mining of token positions in the
  pattern-mining-clk     field filters / the CLK (Christen et al.), inside the
                         salt cohorts for salted fields
  graph-matching         similarity graphs of filters and of public values
                         matched (Vidanage et al., CIKM 2020), on a sample
  blocking-keys          frequency alignment of the blocking keys built from
                         the attacked fields, inside the partitions of the keys
                         that do not use them

The export the file was encoded from is used only to score the attacks: a
record counts as re-identified when an attack recovers the true value of
one of the attacked fields, read with the encoder's own normalisation. Run
it on your own file before sending it, to see the risk of a schema and of
its hardening options. Nothing personal is printed. With --json the report
is {"records": N, "attacks": [{"name", "reidentified", ...}], "worst", ...}.

A second table reports the joint uniqueness (k-anonymity) of what the
linkage unit holds per record beside the name filters: the attributes in
the clear (district, needs, household size from the household id), the
field filters with few values (sex, postcode: readable by frequency), the
recovered salt cohort and the blocking keys: the share of records whose
combination is unique, and shared by fewer than five records.

A third table bounds what frequency alignment alone could learn from
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
			if opts.Sample < 1 {
				return base.Usagef("audit: --sample must be at least 1")
			}
			for _, a := range opts.Attacks {
				if !slices.Contains(audit.Attacks, a) {
					return base.Usagef("audit: --attack %s: not one of %s", a, strings.Join(audit.Attacks, ", "))
				}
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
		Fields: opts.Fields, Attacks: opts.Attacks, Align: opts.Align, Sample: opts.Sample, HouseholdAttr: opts.HouseholdAttr,
		Logger: g.Logger, Progress: bars.update})
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
	fmt.Fprintln(tw, "attack\trecords\tpartitions\tre-identified\trate\tguesses right\tper field\t")
	for _, a := range rep.Attacks {
		var per []string
		for _, f := range a.Fields {
			per = append(per, fmt.Sprintf("%s %.2f%%", f.Field, 100*f.Rate))
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.2f%%\t%.0f%%\t%s\t\n", a.Name, a.Records, a.Partitions, a.ReidentifiedRecords, 100*a.Reidentified, 100*a.Precision, strings.Join(per, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "worst: %.2f%% of records re-identified (%s); guessing the commonest public value for every record: %.2f%%\n", 100*rep.Worst, rep.WorstAttack, 100*rep.Chance)
	for _, c := range rep.Cohorts {
		fmt.Fprintf(w, "salt %s: %d cohorts recovered from %s, %d of %d records assigned\n", c.Salt, c.N, c.Source, c.Assigned, rep.Records)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "frequency attack, by field:")
	fmt.Fprintln(tw, "field\tattacked\tdistinct filters\tgroups\taligned\tq-grams located\tre-identified\tby frequency alone\trate\t")
	for _, f := range rep.Fields {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.2f%%\t\n", f.Field, f.Attacked, f.Distinct, f.Groups, f.Aligned, f.Located,
			f.Reidentified, f.FrequencyReidentified, 100*f.Rate)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "records with at least one name recovered: %.2f%% of %d\n\n", 100*rep.AnyField, rep.Records)
	fmt.Fprintln(w, "joint uniqueness (k-anonymity) of what the linkage unit holds per record, each row adding columns to the one above:")
	fmt.Fprintln(tw, "classes\tunique\tk < 5\t columns")
	prev := 0
	for _, u := range rep.Uniqueness {
		added := strings.Join(u.Columns[min(prev, len(u.Columns)):], ", ")
		if prev > 0 {
			added = "+ " + added
		}
		prev = len(u.Columns)
		fmt.Fprintf(tw, "%d\t%.2f%%\t%.2f%%\t %s\n", u.Classes, 100*u.Unique, 100*u.Below5, added)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "exposure to frequency alignment alone, by an attacker knowing the exact plaintext distribution of each column:")
	fmt.Fprintln(tw, "column\tpresent\tdistinct\tlargest group\texposed records\trate\t")
	for _, e := range rep.Exposure {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%.2f%%\t\n", e.Column, e.Present, e.Distinct, e.Largest, e.Exposed, 100*e.Rate)
	}
	return tw.Flush()
}
