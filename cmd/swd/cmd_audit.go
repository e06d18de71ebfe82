package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/io/table"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/audit"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/normalize"
	"github.com/welfare-district/swd/linkage/schema"
)

func init() { registerCommand(newAuditCommand) }

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
	fs.IntVar(&o.Align, "align", 300, "most frequent filters aligned with the most frequent public names")
	fs.IntVar(&o.Sample, "sample", 20000, "records attacked by the graph matching attack (whole salt cohorts for salted fields)")
	fs.StringVar(&o.HouseholdAttr, "household-attr", linkage.DefaultHouseholdAttr, "attribute holding the partner's household id (reported as household size)")
	fs.BoolVar(&o.JSON, "json", false, "print the results as JSON")
}

func newAuditCommand(g *GlobalOptions) *cobra.Command {
	opts := &AuditOptions{}
	cmd := &cobra.Command{
		Use:   "audit FILE --export EXPORT --public LIST [--field NAME] [--attack NAME]",
		Short: "Attack an encoded file as the linkage unit could, and report the share re-identified",
		Long: `Attack the name-field filters (and the CLK) of an encoded file with what the
linkage unit has: the file, its schema (in the file's metadata) and a
public reference of name frequencies. Five attacks, each reported with
the share of records it re-identifies, and the worst of them:

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

The export the file was encoded from is used only to score the attacks: a
record counts as re-identified when an attack recovers the true
(normalised) value of one of the attacked fields. Run it on your own file
before sending it, to see the risk of a schema and of its hardening
options. Nothing personal is printed.

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

// AuditReport is what swd audit prints.
type AuditReport struct {
	File string `json:"file"`
	// Fields are the frequency attack's stages per field.
	Fields []AuditResult `json:"fields"`
	// AnyField is the share of records with at least one name field
	// re-identified by the frequency attack.
	AnyField float64 `json:"any_field_rate"`
	// Report holds the records, every attack's result, the worst, the
	// recovered cohorts, the joint uniqueness and the exposure bounds.
	audit.Report
}

// AuditResult is the frequency attack's outcome on one field.
type AuditResult struct {
	Field string `json:"field"`
	audit.Result
}

func runAudit(ctx context.Context, opts *AuditOptions, g *GlobalOptions, args []string) error {
	ds, err := encfile.Read(ctx, args[0])
	if err != nil {
		return err
	}
	if ds.Meta.Pseudonymised {
		return base.Usagef("audit: %s has pseudonymised record ids; encode without --pseudonymise-ids to audit it against the export", args[0])
	}
	s, err := schema.Parse(ds.Meta.Schema)
	if err != nil {
		return base.Invalidf("audit: %s: schema in metadata: %v", args[0], err)
	}
	fields, err := auditFields(s, ds, opts.Fields)
	if err != nil {
		return err
	}
	truth, err := readTruth(opts.Export, s, ds, fields)
	if err != nil {
		return err
	}
	in := &audit.Input{Data: ds, Schema: s}
	for fi, f := range fields {
		public, err := readPublic(opts.Public, s, f)
		if err != nil {
			return err
		}
		in.Targets = append(in.Targets, audit.Target{Field: f, Public: public, Truth: truth[fi]})
	}
	ar, err := audit.Run(ctx, in, audit.Options{
		Attacks: opts.Attacks, Align: opts.Align,
		Graph:      audit.GraphConfig{Sample: opts.Sample},
		Uniqueness: audit.UniquenessOptions{HouseholdAttr: opts.HouseholdAttr},
	})
	if err != nil {
		return err
	}
	rep := AuditReport{File: args[0], Report: ar}
	for _, a := range ar.Attacks {
		g.Logger.Info("audit", "attack", a.Name, "reidentified", a.ReidentifiedRecords, "records", a.Records, "rate", a.Reidentified)
		if a.Name != audit.AttackFrequency {
			continue
		}
		rep.AnyField = a.Reidentified
		for i, d := range a.Details {
			rep.Fields = append(rep.Fields, AuditResult{Field: fields[i].Name, Result: d})
		}
	}
	return printAudit(g.Stdout, rep, opts.JSON)
}

func auditFields(s *schema.Schema, ds *encoding.Dataset, names []string) ([]*schema.Field, error) {
	var out []*schema.Field
	for i := range s.Fields {
		f := &s.Fields[i]
		if len(names) == 0 && f.Kind != schema.KindName || len(names) > 0 && !slices.Contains(names, f.Name) {
			continue
		}
		if fieldColumn(ds, f.Name) == nil {
			continue
		}
		out = append(out, f)
	}
	for _, n := range names {
		if f := s.Field(n); f == nil || !attackable(f) {
			return nil, base.Usagef("audit: --field %s: no name, address or text field of that name in the schema", n)
		}
	}
	if len(out) == 0 {
		return nil, base.Usagef("audit: the file has no name field to attack")
	}
	return out, nil
}

// attackable reports whether the audit can attack f: a field of q-grams
// whose public values can be listed (names, addresses, free text).
func attackable(f *schema.Field) bool {
	switch f.Kind {
	case schema.KindName, schema.KindAddress, schema.KindText:
		return true
	}
	return false
}

func fieldColumn(ds *encoding.Dataset, name string) *encoding.FieldColumn {
	for i := range ds.Fields {
		if ds.Fields[i].Name == name {
			return &ds.Fields[i]
		}
	}
	return nil
}

func sourceColumns(f *schema.Field) []string {
	if len(f.Columns) > 0 {
		return f.Columns
	}
	return []string{f.Column}
}

// normaliseName is the encoder's normalisation of a name, address or text
// cell ("" when missing).
func normaliseName(s *schema.Schema, f *schema.Field, raw string) string {
	raw = strings.TrimSpace(raw)
	for _, m := range s.Input.MissingValues {
		if strings.EqualFold(raw, m) {
			return ""
		}
	}
	switch f.Kind {
	case schema.KindAddress:
		return normalize.Address(raw, f.Normalize.Abbreviations)
	case schema.KindText:
		return normalize.Text(raw)
	}
	return normalize.Name(raw, f.Normalize.Particles, f.Normalize.Transliterate)
}

// readTruth returns, per field, the true normalised value of each record
// of ds, joined on the schema's id column.
func readTruth(path string, s *schema.Schema, ds *encoding.Dataset, fields []*schema.Field) ([][]string, error) {
	r, err := table.Open(path, table.Options{TrimSpace: s.Input.TrimSpace})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	idx := columnIndex(r.Header())
	idCol, ok := idx[s.IDColumn]
	if !ok {
		return nil, &base.InputError{File: path, Column: s.IDColumn, Reason: "id column missing from the export"}
	}
	cols := make([][]int, len(fields))
	for fi, f := range fields {
		for _, c := range sourceColumns(f) {
			i, ok := idx[c]
			if !ok {
				return nil, &base.InputError{File: path, Column: c, Reason: "column missing from the export"}
			}
			cols[fi] = append(cols[fi], i)
		}
	}
	row := make(map[string]int, ds.Len())
	for i, id := range ds.RecordIDs {
		row[id] = i
	}
	truth := make([][]string, len(fields))
	for fi := range truth {
		truth[fi] = make([]string, ds.Len())
	}
	err = table.Each(r, func(rec []string, _ int) error {
		i, ok := row[rec[idCol]]
		if !ok {
			return nil
		}
		for fi, f := range fields {
			truth[fi][i] = normaliseName(s, f, joinCells(rec, cols[fi]))
		}
		return nil
	}, nil)
	return truth, err
}

// joinCells is the value of a field read from the cells of rec at cols,
// joined with spaces.
func joinCells(rec []string, cols []int) string {
	parts := make([]string, len(cols))
	for j, c := range cols {
		parts[j] = rec[c]
	}
	return strings.Join(parts, " ")
}

func columnIndex(header []string) map[string]int {
	m := make(map[string]int, len(header))
	for i, h := range header {
		m[h] = i
	}
	return m
}

// readPublic reads the attacker's name frequencies for field f: a table
// with columns name and count, or any table with f's source column(s),
// whose values are counted.
func readPublic(path string, s *schema.Schema, f *schema.Field) ([]audit.NameCount, error) {
	r, err := table.Open(path, table.Options{TrimSpace: true})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	idx := columnIndex(r.Header())
	nameCol, hasName := idx["name"]
	countCol, hasCount := idx["count"]
	var cols []int
	if !(hasName && hasCount) {
		for _, c := range sourceColumns(f) {
			i, ok := idx[c]
			if !ok {
				return nil, &base.InputError{File: path, Column: c, Reason: "public list needs columns name,count or the field's column"}
			}
			cols = append(cols, i)
		}
	}
	counts := map[string]float64{}
	err = table.Each(r, func(rec []string, rowNum int) error {
		if cols == nil {
			c, err := strconv.ParseFloat(strings.TrimSpace(rec[countCol]), 64)
			if err != nil || c < 0 {
				return &base.InputError{File: path, Row: rowNum, Column: "count", Reason: "not a non-negative number"}
			}
			if n := normaliseName(s, f, rec[nameCol]); n != "" {
				counts[n] += c
			}
			return nil
		}
		if n := normaliseName(s, f, joinCells(rec, cols)); n != "" {
			counts[n]++
		}
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	if len(counts) == 0 {
		return nil, base.Invalidf("audit: public list %s holds no names for field %s", path, f.Name)
	}
	out := make([]audit.NameCount, 0, len(counts))
	for n, c := range counts {
		out = append(out, audit.NameCount{Name: n, Count: c})
	}
	return out, nil
}

func printAudit(w io.Writer, rep AuditReport, asJSON bool) error {
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
	fmt.Fprintln(w)
	fmt.Fprintln(w, "joint uniqueness of what the linkage unit holds per record beside the name filters (cumulative):")
	fmt.Fprintln(tw, "columns\tclasses\tunique\tk < 5\t")
	for _, u := range rep.Uniqueness {
		fmt.Fprintf(tw, "%s\t%d\t%.2f%%\t%.2f%%\t\n", strings.Join(u.Columns, " + "), u.Classes, 100*u.Unique, 100*u.Below5)
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
