package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/io/table"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/schema"
	"github.com/welfare-district/swd/pipeline"
)

// EncodeOptions are the flags of swd encode.
type EncodeOptions struct {
	Schema       string
	Secret       string
	Partner      string
	In           string
	Out          string
	Rejects      string
	Format       string
	Delimiter    string
	Encoding     string
	Pseudonymise bool
	// HouseholdAttr is the attribute pseudonymised with the record ids.
	HouseholdAttr string
	OPRF          string
	OPRFToken     string
	SealTo        string
	SignWith      string
	AllowMissing  []string
}

// AddFlags binds the options to fs.
func (o *EncodeOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Schema, "schema", "", "encoding schema (YAML) shared by the partners")
	fs.StringVar(&o.Secret, "secret", "", "linkage secret file (mode 0600, from swd keygen)")
	fs.StringVar(&o.Partner, "partner", "", "partner name written into the output (default: the schema's partner)")
	fs.StringVar(&o.In, "in", "", "partner export: CSV, Parquet or Arrow IPC")
	fs.StringVar(&o.Out, "out", "", "encoded file to write (e.g. caritas.swd.parquet)")
	fs.StringVar(&o.Rejects, "rejects", "", "rejects file (default: OUT with .rejects.csv)")
	fs.StringVar(&o.Format, "format", "", "input format: csv, parquet or arrow (default: from the extension)")
	fs.StringVar(&o.Delimiter, "delimiter", "", `CSV delimiter, one character or "tab" (default: sniffed among , ; tab |)`)
	fs.StringVar(&o.Encoding, "encoding", table.EncodingAuto, "CSV text encoding: auto (UTF-8, with or without BOM, or Windows-1252 when the file is not valid UTF-8), utf-8 or latin-1")
	fs.StringSliceVar(&o.AllowMissing, "allow-missing", nil, "a field this partner does not collect (repeatable, or comma-separated): it may be missing in every row")
	fs.StringVar(&o.OPRF, "oprf", "", "keyserver URL for the fields the schema marks oprf: true (https, or http on loopback)")
	fs.StringVar(&o.OPRFToken, "oprf-token", "", "file with this partner's keyserver bearer token (mode 0600)")
	fs.StringVar(&o.SealTo, "seal-to", "", "seal the output to this public key (the linkage unit's .pub): only its holder can read it")
	fs.StringVar(&o.SignWith, "sign-with", "", "sign the sealed output with this partner's private key (.key, mode 0600)")
	fs.BoolVar(&o.Pseudonymise, "pseudonymise-ids", false, "replace record ids, and the household ids of --household-attr, by keyed pseudonyms; the record-id mapping stays at the partner (OUT with .pseudonyms.csv, mode 0600)")
	fs.StringVar(&o.HouseholdAttr, "household-attr", linkage.DefaultHouseholdAttr, "attribute holding the partner's own household id, pseudonymised by --pseudonymise-ids when the schema carries it")
}

func (o *EncodeOptions) validate() error {
	for _, f := range []struct{ name, v string }{{"--schema", o.Schema}, {"--secret", o.Secret}, {"--in", o.In}, {"--out", o.Out}} {
		if f.v == "" {
			return base.Usagef("encode: %s is required", f.name)
		}
	}
	switch strings.ToLower(o.Format) {
	case "", "csv", "parquet", "arrow":
	default:
		return base.Usagef("encode: --format must be csv, parquet or arrow, not %q", o.Format)
	}
	if _, err := o.delimiter(); err != nil {
		return err
	}
	if o.Partner != "" && !partnerRE.MatchString(o.Partner) {
		return base.Usagef("encode: --partner must be letters, digits, '.', '_' or '-' (at most 64), not %q", o.Partner)
	}
	if (o.SealTo == "") != (o.SignWith == "") {
		return base.Usagef("encode: --seal-to and --sign-with go together (a sealed file must be signed by its partner)")
	}
	if (o.OPRF == "") != (o.OPRFToken == "") {
		return base.Usagef("encode: --oprf and --oprf-token go together")
	}
	if o.Rejects == "" {
		o.Rejects = pipeline.RejectsPath(o.Out)
	}
	if o.Rejects == o.Out || o.Rejects == o.In || o.Out == o.In {
		return base.Usagef("encode: --in, --out and --rejects must be different files")
	}
	return nil
}

func (o *EncodeOptions) delimiter() (rune, error) {
	switch o.Delimiter {
	case "":
		return 0, nil
	case "tab", `\t`:
		return '\t', nil
	}
	r, n := utf8.DecodeRuneInString(o.Delimiter)
	if n != len(o.Delimiter) || r == utf8.RuneError || r == '"' || r == '\n' || r == '\r' {
		return 0, base.Usagef("encode: --delimiter must be one character or \"tab\", not %q", o.Delimiter)
	}
	return r, nil
}

var partnerRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

func newEncodeCommand(g *GlobalOptions) *cobra.Command {
	opts := &EncodeOptions{}
	cmd := &cobra.Command{
		Use:   "encode --schema S --secret K --in EXPORT --out OUT.swd.parquet",
		Short: "Turn a partner export into keyed Bloom-filter encodings",
		Long: `Read a partner export (CSV with any delimiter, in UTF-8 with or without
BOM or in Windows-1252, detected; Parquet; Arrow IPC), normalise each
identifying field as the schema says, and write keyed Bloom-filter
encodings (per-field filters, a record-level CLK, keyed blocking keys) plus
the attributes the schema carries in the clear, to an encoded Parquet file.
Nothing else leaves the partner: no name, date, fiscal code or any
normalised value appears in the output, in logs or in errors.

Header names are matched ignoring case, accents, blanks and punctuation,
and through the schema's input.aliases (COGNOME, "Data di nascita").

Rows that cannot be encoded (missing record id, a record id an earlier row
already has, a required field missing or invalid, a malformed row, a stray
quote) go to the rejects file with their row and line, record id, column and
reason — never the value; a stray quote costs only its own line. The
summary says how the file was read, checks that its data lines equal the
rows encoded plus the rows rejected, and counts missing values per field
and fiscal codes that were invalid or inconsistent with sex and birth date.

An identifying field missing in more rows than the schema's max_missing
(default 50%), or whose column the header lacks, stops the run with exit
status 3 naming the field and the share — most often a column lost to a
renamed header — unless --allow-missing FIELD says this partner does not
collect it.

Fields the schema marks oprf: true (fiscal codes, exact identifiers) are
replaced by oblivious-PRF pseudonyms from the keyserver before encoding
(--oprf URL --oprf-token FILE): the keyserver never sees the values, and
not even a holder of the linkage secret can encode guesses offline.

The encoded file, the rejects file and the pseudonym map appear together
or not at all: an interrupted run (Ctrl-C) leaves nothing, and a run killed
while renaming them into place is completed by the next run on the same
output (docs/format.md, "Output sets"). An output in a directory that does
not exist is a usage error (exit status 2).

` + exitStatusHelp,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return opts.validate() },
		RunE:    func(cmd *cobra.Command, args []string) error { return runEncode(cmd.Context(), opts, g, args) },
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runEncode(ctx context.Context, opts *EncodeOptions, g *GlobalOptions, _ []string) error {
	s, err := schema.Load(opts.Schema)
	if err != nil {
		return err
	}
	secret, err := pipeline.ReadSecret(opts.Secret)
	if err != nil {
		return err
	}
	if opts.OPRF != "" && !hasOPRF(s) {
		return base.Usagef("encode: --oprf given, but no field of the schema has oprf: true")
	}
	delim, _ := opts.delimiter()
	bars := newStageBars(g)
	res, err := pipeline.Encode(ctx, pipeline.EncodeConfig{
		Schema: s, Secret: secret, Partner: opts.Partner, In: opts.In, Out: opts.Out, Rejects: opts.Rejects,
		Input:           table.Options{Format: strings.ToLower(opts.Format), Delimiter: delim, Encoding: opts.Encoding},
		PseudonymiseIDs: opts.Pseudonymise, HouseholdAttr: opts.HouseholdAttr,
		Keyserver:    pipeline.KeyserverConfig{URL: opts.OPRF, TokenFile: opts.OPRFToken},
		Seal:         pipeline.SealConfig{To: opts.SealTo, SignWith: opts.SignWith},
		AllowMissing: opts.AllowMissing,
		Workers:      g.Workers, Logger: g.Logger, Progress: bars.update,
	})
	bars.finish()
	if err != nil || g.Quiet {
		return err
	}
	printEncodeSummary(g.Stdout, s, res)
	return nil
}

func printEncodeSummary(out io.Writer, s *schema.Schema, res *pipeline.EncodeResult) {
	st := res.Stats
	fmt.Fprintf(out, "encoded %s → %s (partner %s)\n", res.In, res.Out, res.Meta.Partner)
	if t := res.Text; t != nil {
		how := ""
		if t.Detected {
			how = " (detected)"
		}
		fmt.Fprintf(out, "  read as %s%s, delimiter %s\n", t.Charset, how, delimiterName(t.Delimiter))
	}
	if len(res.Renamed) > 0 {
		names := make([]string, len(res.Renamed))
		for i, m := range res.Renamed {
			names[i] = m.Column + " as " + m.Header
		}
		fmt.Fprintf(out, "  columns found under other names: %s\n", strings.Join(names, ", "))
	}
	if t := res.Text; t != nil {
		fmt.Fprintf(out, "  %d data lines = %d encoded + %d rejected", t.Lines, st.Encoded, st.Rejected)
		if t.ExtraLines > 0 {
			fmt.Fprintf(out, " + %d lines continuing quoted values", t.ExtraLines)
		}
	} else {
		fmt.Fprintf(out, "  %d rows = %d encoded + %d rejected", st.Read, st.Encoded, st.Rejected)
	}
	if st.Rejected > 0 {
		fmt.Fprintf(out, " (see %s)", res.Rejects)
	}
	fmt.Fprintln(out)
	if st.Duplicates > 0 {
		fmt.Fprintf(out, "  %s (only the first row of each is encoded)\n", plural(st.Duplicates, "duplicate record id", "duplicate record ids"))
	}
	fmt.Fprintln(out, "  missing values per field (of the encoded rows):")
	for _, f := range st.Fields {
		fmt.Fprintf(out, "    %-20s %8d  %5.1f%%", f.Name, f.Missing, pct(f.Missing, st.Encoded))
		if f.NotCollected {
			fmt.Fprint(out, "  not collected by this partner (--allow-missing)")
		}
		if f.Invalid > 0 {
			fmt.Fprintf(out, "  (%d invalid: %s; first rows %s)", f.Invalid, f.Reason, joinInts(f.InvalidRows))
		}
		fmt.Fprintln(out)
	}
	if hasKind(s, schema.KindFiscalCode) {
		fmt.Fprintf(out, "  fiscal codes: %d invalid (encoded as missing), %d inconsistent with sex or birth date\n", st.CFInvalid, st.CFInconsistent)
	}
	if res.Pseudonyms != "" {
		fmt.Fprintf(out, "  record ids pseudonymised; mapping kept in %s (do not send it)\n", res.Pseudonyms)
		for _, a := range res.Meta.PseudonymisedAttrs {
			fmt.Fprintf(out, "  attribute %s pseudonymised (equal values stay equal)\n", a)
		}
	}
	fmt.Fprintf(out, "  schema fingerprint %s\n  key check value %s\n", res.Meta.SchemaFingerprint, res.Meta.KeyCheck)
	keep := res.Rejects
	if res.Pseudonyms != "" {
		keep += " and " + res.Pseudonyms
	}
	fmt.Fprintf(out, "next: send %s to the linkage unit; keep %s here (they name your records)\n", res.Out, keep)
}

// delimiterName writes a delimiter for people: ';', tab.
func delimiterName(d rune) string {
	if d == '\t' {
		return "tab"
	}
	return "'" + string(d) + "'"
}

// plural is "1 record" or "3 records".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

func hasOPRF(s *schema.Schema) bool {
	return slices.ContainsFunc(s.Fields, func(f schema.Field) bool { return f.OPRF })
}

func hasKind(s *schema.Schema, k schema.Kind) bool {
	return slices.ContainsFunc(s.Fields, func(f schema.Field) bool { return f.Kind == k })
}
