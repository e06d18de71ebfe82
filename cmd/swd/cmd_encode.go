package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/keyserver"
	"github.com/welfare-district/swd/internal/progress"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/io/table"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
)

func init() { registerCommand(newEncodeCommand) }

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

	plain string // with --seal-to: the unsealed encoded file, removed after sealing
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
	fs.StringVar(&o.Encoding, "encoding", "utf-8", "CSV text encoding: utf-8 or latin-1")
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
		o.Rejects = siblingPath(o.Out, ".rejects.csv")
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

// siblingPath is out with its .swd.parquet (or other) extension replaced.
func siblingPath(out, suffix string) string {
	for _, ext := range []string{".swd.parquet", ".parquet"} {
		if strings.HasSuffix(out, ext) {
			return strings.TrimSuffix(out, ext) + suffix
		}
	}
	return out + suffix
}

func newEncodeCommand(g *GlobalOptions) *cobra.Command {
	opts := &EncodeOptions{}
	cmd := &cobra.Command{
		Use:   "encode --schema S --secret K --in EXPORT --out OUT.swd.parquet",
		Short: "Turn a partner export into keyed Bloom-filter encodings",
		Long: `Read a partner export (CSV with any delimiter, UTF-8 or Latin-1, with or
without BOM; Parquet; Arrow IPC), normalise each identifying field as the
schema says, and write keyed Bloom-filter encodings (per-field filters, a
record-level CLK, keyed blocking keys) plus the attributes the schema
carries in the clear, to an encoded Parquet file. Nothing else leaves the
partner: no name, date, fiscal code or any normalised value appears in the
output, in logs or in errors.

Rows that cannot be encoded (missing record id, a required field missing
or invalid, a malformed row) go to the rejects file with their row number,
record id, column and reason — never the value. The summary counts rows
read, encoded and rejected, missing values per field, and fiscal codes that
were invalid or inconsistent with sex and birth date.

Fields the schema marks oprf: true (fiscal codes, exact identifiers) are
replaced by oblivious-PRF pseudonyms from the keyserver before encoding
(--oprf URL --oprf-token FILE): the keyserver never sees the values, and
not even a holder of the linkage secret can encode guesses offline.

Outputs appear atomically: an interrupted run (Ctrl-C) leaves nothing.

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
	secret, err := readSecret(opts.Secret)
	if err != nil {
		return err
	}
	encOpts := []encoding.Option{encoding.WithWorkers(g.Workers)}
	if opts.Pseudonymise {
		encOpts = append(encOpts, encoding.WithPseudonymisedIDs())
		if slices.ContainsFunc(s.Attributes, func(a schema.Attribute) bool { return a.Name == opts.HouseholdAttr }) {
			encOpts = append(encOpts, encoding.WithPseudonymisedAttrs(opts.HouseholdAttr))
		}
	}
	if opts.OPRF != "" {
		if !hasOPRF(s) {
			return base.Usagef("encode: --oprf given, but no field of the schema has oprf: true")
		}
		tok, err := keyserver.ReadToken(opts.OPRFToken)
		if err != nil {
			return err
		}
		c := keyserver.Client{URL: opts.OPRF, Token: tok}
		encOpts = append(encOpts, encoding.WithOPRF(c.Pseudonyms))
	}
	enc, err := encoding.New(s, secret, opts.Partner, encOpts...)
	if err != nil {
		return err
	}
	delim, _ := opts.delimiter()
	r, err := table.Open(opts.In, table.Options{Format: strings.ToLower(opts.Format), Delimiter: delim,
		Encoding: opts.Encoding, TrimSpace: s.Input.TrimSpace})
	if err != nil {
		return err
	}
	defer r.Close()
	bind, err := enc.Bind(r.Header())
	if err != nil {
		return inFile(err, opts.In)
	}
	for _, c := range bind.Absent {
		g.Logger.Warn("column not in the input: its values are missing in every row", "file", opts.In, "column", c)
	}
	seal, err := loadSealKeys(opts)
	if err != nil {
		return err
	}
	st, err := encodeTo(ctx, opts, g, enc, r)
	if err != nil {
		return err
	}
	if err := seal(enc.Partner()); err != nil {
		return err
	}
	if !g.Quiet {
		printEncodeSummary(g.Stdout, opts, enc, st)
	}
	return nil
}

// inFile sets the file of an input error that lacks one.
func inFile(err error, path string) error {
	var ie *base.InputError
	if errors.As(err, &ie) && ie.File == "" {
		ie.File = path
	}
	return err
}

// encodeTo runs the encoder from r into the output, rejects and (optional)
// pseudonym files, committing all of them only when the run succeeds.
func encodeTo(ctx context.Context, opts *EncodeOptions, g *GlobalOptions, enc *encoding.Encoder, r table.Reader) (encoding.Stats, error) {
	w, err := encfile.Create(opts.encodedPath(), enc.Layout(), enc.Partner())
	if err != nil {
		return encoding.Stats{}, err
	}
	defer w.Abort()
	rej, err := table.NewRejectsWriter(opts.Rejects)
	if err != nil {
		return encoding.Stats{}, err
	}
	defer rej.Abort()
	ids, err := newPseudonymFile(opts, enc)
	if err != nil {
		return encoding.Stats{}, err
	}
	defer ids.abort()

	bar := progress.New(g.Stderr, g.Quiet, -1, "encoding")
	st, err := enc.Encode(ctx, r.Header(), r, encoding.Output{
		Record: func(id string, rec *encoding.Record) error {
			if err := ids.write(id, rec.RecordID); err != nil {
				return err
			}
			return w.Write(rec)
		},
		Reject:   func(x encoding.Reject) error { return rej.Reject(x.Row, x.RecordID, x.Column, x.Reason) },
		Progress: bar.Add,
	})
	bar.Finish()
	if err != nil {
		return st, inFile(err, opts.In)
	}
	if st.Read == 0 {
		return st, &base.InputError{File: opts.In, Reason: "no data rows (the file holds a header only)"}
	}
	if err := rej.Commit(); err != nil {
		return st, err
	}
	if st.Encoded == 0 {
		return st, &base.InputError{File: opts.In, Reason: fmt.Sprintf("none of the %d rows could be encoded; see %s", st.Read, opts.Rejects)}
	}
	if err := ids.commit(); err != nil {
		return st, err
	}
	meta := enc.Meta(st)
	meta.Created = time.Now().UTC().Truncate(time.Second)
	meta.CodeVersion = codeVersion()
	return st, w.Commit(meta)
}

// pseudonymFile is the record_id → pseudonym mapping kept at the partner.
type pseudonymFile struct {
	f *atomicfile.File
	w *csv.Writer
}

func newPseudonymFile(opts *EncodeOptions, enc *encoding.Encoder) (*pseudonymFile, error) {
	if !enc.Pseudonymised() {
		return &pseudonymFile{}, nil
	}
	f, err := atomicfile.Create(siblingPath(opts.Out, ".pseudonyms.csv"), 0o600)
	if err != nil {
		return nil, err
	}
	p := &pseudonymFile{f: f, w: csv.NewWriter(f)}
	return p, p.w.Write([]string{"record_id", "pseudonym"})
}

func (p *pseudonymFile) write(id, pseudonym string) error {
	if p.w == nil {
		return nil
	}
	return p.w.Write([]string{id, pseudonym})
}

func (p *pseudonymFile) commit() error {
	if p.w == nil {
		return nil
	}
	p.w.Flush()
	if err := p.w.Error(); err != nil {
		return fmt.Errorf("writing %s: %w", p.f.Path(), err)
	}
	return p.f.Commit()
}

func (p *pseudonymFile) abort() {
	if p.f != nil {
		p.f.Abort()
	}
}

func printEncodeSummary(out io.Writer, opts *EncodeOptions, enc *encoding.Encoder, st encoding.Stats) {
	fmt.Fprintf(out, "encoded %s → %s (partner %s)\n", opts.In, opts.Out, enc.Partner())
	fmt.Fprintf(out, "  rows read %d, encoded %d, rejected %d", st.Read, st.Encoded, st.Rejected)
	if st.Rejected > 0 {
		fmt.Fprintf(out, " (see %s)", opts.Rejects)
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "  missing values per field (of the encoded rows):")
	for _, f := range st.Fields {
		fmt.Fprintf(out, "    %-20s %8d  %5.1f%%", f.Name, f.Missing, pct(f.Missing, st.Encoded))
		if f.Invalid > 0 {
			fmt.Fprintf(out, "  (%d invalid: %s; first rows %s)", f.Invalid, f.Reason, joinInts(f.InvalidRows))
		}
		fmt.Fprintln(out)
	}
	if hasKind(enc.Schema(), schema.KindFiscalCode) {
		fmt.Fprintf(out, "  fiscal codes: %d invalid (encoded as missing), %d inconsistent with sex or birth date\n", st.CFInvalid, st.CFInconsistent)
	}
	if enc.Pseudonymised() {
		fmt.Fprintf(out, "  record ids pseudonymised; mapping kept in %s (do not send it)\n", siblingPath(opts.Out, ".pseudonyms.csv"))
		for _, a := range enc.PseudonymisedAttrs() {
			fmt.Fprintf(out, "  attribute %s pseudonymised (equal values stay equal)\n", a)
		}
	}
	meta := enc.Meta(st)
	fmt.Fprintf(out, "  schema fingerprint %s\n  key check value %s\n", meta.SchemaFingerprint, meta.KeyCheck)
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
