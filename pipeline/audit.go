package pipeline

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/io/table"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/audit"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
)

// DefaultAlign is the default of AuditConfig.Align.
const DefaultAlign = 300

// DefaultSample is the default of AuditConfig.Sample.
const DefaultSample = 20000

// AuditConfig configures Audit: an attack on one encoded file, scored
// against the export it was encoded from.
type AuditConfig struct {
	// File is the encoded file to attack (not sealed, ids not
	// pseudonymised).
	File string
	// Export is the partner export File was encoded from: the ground truth
	// that scores the attack (CSV, Parquet or Arrow).
	Export string
	// Public is the attacker's public name list: a table with columns
	// name and count, or any table with the attacked field's column(s),
	// whose values are counted.
	Public string
	// Fields are the fields to attack (names, addresses or free text);
	// empty: every field of kind name.
	Fields []string
	// Attacks are the attacks to run (audit.Attacks); empty: all.
	Attacks []string
	// Align is how many of the most frequent filters are aligned with the
	// most frequent public names; 0: DefaultAlign.
	Align int
	// Sample is the number of records the graph-matching attack attacks
	// (whole salt cohorts for salted fields); 0: DefaultSample.
	Sample int
	// HouseholdAttr is the attribute holding the partner's household id,
	// reported by the joint uniqueness as household size; empty:
	// linkage.DefaultHouseholdAttr.
	HouseholdAttr string
	// Logger receives one line per field attacked (counts only); nil: none.
	Logger *slog.Logger
	// Progress is told the fields attacked, as the stage "attacking name
	// fields"; nil: nothing.
	Progress ProgressFunc
}

// AuditReport is what swd audit prints (with --json as is): counts and
// rates, never a value. The embedded audit.Report holds the records, every
// attack's result ("attacks"), the worst ("worst"), the recovered salt
// cohorts, the joint uniqueness of what the linkage unit holds and the
// exposure bounds.
type AuditReport struct {
	File string `json:"file"`
	// Fields are the frequency attack's stages per field.
	Fields []AuditResult `json:"fields"`
	// AnyField is the share of records with at least one name field
	// re-identified by the frequency attack.
	AnyField float64 `json:"any_field_rate"`
	audit.Report
}

// AuditResult is the frequency attack's outcome on one field.
type AuditResult struct {
	Field string `json:"field"`
	audit.Result
}

// Audit attacks the filters (field filters, CLK, blocking keys) of an
// encoded file as the linkage unit could (swd audit; linkage/audit,
// docs/audit.md): every attack of audit.Attacks selected, each with the
// share of records it re-identifies, and the worst; the joint uniqueness
// of what the linkage unit holds per record; and a bound on what frequency
// alignment could learn from every column of encodings. The export scores
// the attacks: a record counts as re-identified when an attack recovers
// the value the encoder encoded for it, read with the encoder's own
// Normaliser.
func Audit(ctx context.Context, cfg AuditConfig) (*AuditReport, error) {
	if cfg.Align == 0 {
		cfg.Align = DefaultAlign
	}
	if cfg.Sample == 0 {
		cfg.Sample = DefaultSample
	}
	if cfg.HouseholdAttr == "" {
		cfg.HouseholdAttr = linkage.DefaultHouseholdAttr
	}
	for _, a := range cfg.Attacks {
		if !slices.Contains(audit.Attacks, a) {
			return nil, base.Usagef("audit: attack %s: not one of %s", a, strings.Join(audit.Attacks, ", "))
		}
	}
	ds, err := encfile.Read(ctx, cfg.File)
	if err != nil {
		return nil, err
	}
	if ds.Meta.Pseudonymised {
		return nil, base.Usagef("audit: %s has pseudonymised record ids; encode without --pseudonymise-ids to audit it against the export", cfg.File)
	}
	s, err := schema.Parse(ds.Meta.Schema)
	if err != nil {
		return nil, base.Invalidf("audit: %s: schema in metadata: %v", cfg.File, err)
	}
	n, err := encoding.NewNormaliser(s)
	if err != nil {
		return nil, err
	}
	fields, err := auditFields(s, ds, cfg.Fields)
	if err != nil {
		return nil, err
	}
	truth, err := readTruth(cfg.Export, n, ds, fields)
	if err != nil {
		return nil, err
	}
	in := &audit.Input{Data: ds, Schema: s}
	for fi, i := range fields {
		public, err := readPublic(cfg.Public, n, i)
		if err != nil {
			return nil, err
		}
		in.Targets = append(in.Targets, audit.Target{Field: &s.Fields[i], Public: public, Truth: truth[fi]})
	}
	cfg.Progress.report("attacking", 0, 1)
	ar, err := audit.Run(ctx, in, audit.Options{
		Attacks: cfg.Attacks, Align: cfg.Align,
		Graph:      audit.GraphConfig{Sample: cfg.Sample},
		Uniqueness: audit.UniquenessOptions{HouseholdAttr: cfg.HouseholdAttr},
	})
	if err != nil {
		return nil, err
	}
	cfg.Progress.report("attacking", 1, 1)
	rep := &AuditReport{File: cfg.File, Report: ar}
	log := orDiscard(cfg.Logger)
	for _, a := range ar.Attacks {
		log.Info("audit", "attack", a.Name, "reidentified", a.ReidentifiedRecords, "records", a.Records, "rate", a.Reidentified)
		if a.Name != audit.AttackFrequency {
			continue
		}
		rep.AnyField = a.Reidentified
		for i, d := range a.Details {
			rep.Fields = append(rep.Fields, AuditResult{Field: s.Fields[fields[i]].Name, Result: d})
		}
	}
	return rep, nil
}

// auditFields returns the indices in s of the fields to attack: those
// named, or every name field when names is empty, that have a filter
// column in ds. A named field must be a name, address or text field.
func auditFields(s *schema.Schema, ds *encoding.Dataset, names []string) ([]int, error) {
	var out []int
	for i, f := range s.Fields {
		if len(names) == 0 && f.Kind != schema.KindName || len(names) > 0 && !slices.Contains(names, f.Name) {
			continue
		}
		if ds.Field(f.Name) != nil {
			out = append(out, i)
		}
	}
	for _, name := range names {
		if f := s.Field(name); f == nil || !attackable(f) {
			return nil, base.Usagef("audit: --field %s: no name, address or text field of that name in the schema", name)
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

// readTruth returns, per field, the value the encoder encoded for each
// record of ds ("" when missing): the export read with the encoder's
// Normaliser, joined to ds on the record id as the encoder reads it.
func readTruth(path string, n *encoding.Normaliser, ds *encoding.Dataset, fields []int) ([][]string, error) {
	r, err := table.Open(path, table.Options{TrimSpace: n.Schema().Input.TrimSpace})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := n.Bind(r.Header())
	if err != nil {
		return nil, inFile(err, path)
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
		if i, ok := row[n.RecordID(b, rec)]; ok {
			for fi, f := range fields {
				truth[fi][i], _ = n.Value(b, rec, f)
			}
		}
		return nil
	}, nil)
	return truth, err
}

// columnIndex maps each column name of header to its position.
func columnIndex(header []string) map[string]int {
	m := make(map[string]int, len(header))
	for i, h := range header {
		m[h] = i
	}
	return m
}

// readPublic reads the attacker's name frequencies for field i: a table
// with columns name and count, or any table with the field's source
// column(s), whose values are counted. Names are normalised as the encoder
// normalises the field.
func readPublic(path string, n *encoding.Normaliser, i int) ([]audit.NameCount, error) {
	r, err := table.Open(path, table.Options{TrimSpace: true})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cells, err := publicCells(path, r.Header(), n.Schema().Fields[i].Columns)
	if err != nil {
		return nil, err
	}
	counts := map[string]float64{}
	err = table.Each(r, func(rec []string, rowNum int) error {
		name, count, err := cells(rec, rowNum)
		if err != nil {
			return err
		}
		if v, ok := n.Normalise(i, name...); ok {
			counts[v] += count
		}
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	if len(counts) == 0 {
		return nil, base.Invalidf("audit: public list %s holds no names for field %s", path, n.Schema().Fields[i].Name)
	}
	out := make([]audit.NameCount, 0, len(counts))
	for v, c := range counts {
		out = append(out, audit.NameCount{Name: v, Count: c})
	}
	return out, nil
}

// publicCells returns the function that reads a row of a public list: its
// name (the name column, or the field's source columns) and its count
// (the count column, or 1).
func publicCells(path string, header []string, columns []string) (func(rec []string, rowNum int) ([]string, float64, error), error) {
	idx := columnIndex(header)
	nameCol, hasName := idx["name"]
	countCol, hasCount := idx["count"]
	if hasName && hasCount {
		return func(rec []string, rowNum int) ([]string, float64, error) {
			c, err := strconv.ParseFloat(strings.TrimSpace(rec[countCol]), 64)
			if err != nil || c < 0 {
				return nil, 0, &base.InputError{File: path, Row: rowNum, Column: "count", Reason: "not a non-negative number"}
			}
			return []string{rec[nameCol]}, c, nil
		}, nil
	}
	cols := make([]int, len(columns))
	for j, c := range columns {
		var ok bool
		if cols[j], ok = idx[c]; !ok {
			return nil, &base.InputError{File: path, Column: c, Reason: "public list needs columns name,count or the field's column"}
		}
	}
	return func(rec []string, _ int) ([]string, float64, error) {
		name := make([]string, len(cols))
		for j, c := range cols {
			name[j] = rec[c]
		}
		return name, 1, nil
	}, nil
}
