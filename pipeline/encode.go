package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/keyserver"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/io/table"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
)

// EncodeConfig configures Encode: one partner export into one encoded file.
type EncodeConfig struct {
	// Schema is the encoding schema all partners of the linkage share
	// (schema.Load).
	Schema *schema.Schema
	// Secret is the partners' linkage secret (ReadSecret).
	Secret encoding.Secret
	// Partner names the data holder in the output; empty: the schema's.
	Partner string
	// In is the partner export: CSV, Parquet or Arrow IPC.
	In string
	// Input says how to read In (format, CSV delimiter and text encoding);
	// its TrimSpace is the schema's input.trim_space.
	Input table.Options
	// Out is the encoded file to write.
	Out string
	// Rejects is the rejects file; empty: RejectsPath(Out).
	Rejects string
	// AllowMissing names the fields this partner does not collect: they may
	// be missing in any share of the rows, their columns absent (swd encode
	// --allow-missing). Any other field missing in more rows than the
	// schema's max_missing stops the run (encoding.MissingError).
	AllowMissing []string
	// PseudonymiseIDs replaces record ids by keyed pseudonyms and writes the
	// mapping to PseudonymsPath(Out) (mode 0600), which stays at the
	// partner.
	PseudonymiseIDs bool
	// HouseholdAttr is the attribute holding the partner's own household
	// id; with PseudonymiseIDs its values are replaced by keyed pseudonyms
	// too (when the schema carries it). Empty: linkage.DefaultHouseholdAttr.
	HouseholdAttr string
	// Keyserver pseudonymises the fields the schema marks oprf: true.
	Keyserver KeyserverConfig
	// Seal, when set, seals the output to the linkage unit's public key.
	Seal SealConfig
	// Workers is the number of encoding goroutines; 0: GOMAXPROCS.
	Workers int
	// CodeVersion is recorded in the file; empty: CodeVersion().
	CodeVersion string
	// Logger receives warnings (never a value of the export); nil: none.
	Logger *slog.Logger
	// Progress is told the rows encoded, as the stage "encoding" of
	// unknown total; nil: nothing.
	Progress ProgressFunc
}

// KeyserverConfig names the keyserver that computes oblivious-PRF
// pseudonyms (swd encode --oprf, --oprf-token). Empty: no keyserver.
type KeyserverConfig struct {
	URL       string // https, or http on a loopback address
	TokenFile string // this partner's bearer token (mode 0600)
}

// EncodeResult describes a finished Encode. It holds counts and file
// names, never a value of the export.
type EncodeResult struct {
	In      string `json:"in"`
	Out     string `json:"out"`
	Rejects string `json:"rejects"`
	// Pseudonyms is the record id → pseudonym mapping kept at the partner;
	// empty unless ids were pseudonymised.
	Pseudonyms string         `json:"pseudonyms,omitempty"`
	Sealed     bool           `json:"sealed"`
	Stats      encoding.Stats `json:"stats"`
	// Text says how a CSV input was read (charset, detected or given;
	// delimiter; data lines); nil for Parquet and Arrow. Its Lines equal
	// Stats.Encoded + Stats.Rejected + its ExtraLines.
	Text *table.TextInfo `json:"text,omitempty"`
	// Renamed lists the schema columns found under another header name.
	Renamed []encoding.ColumnMatch `json:"renamed_columns,omitempty"`
	// Recovered is true when a previous run on the same output had been
	// killed while renaming its files into place, and this run completed
	// that set first (see atomicfile.Set).
	Recovered bool `json:"recovered_interrupted_run,omitempty"`
	// Meta is the file-level metadata written (schema fingerprint, key
	// check value, counts).
	Meta encoding.Meta `json:"meta"`
}

// RejectsPath is the default rejects file of the encoded file out: out
// with its .swd.parquet (or .parquet) extension replaced by .rejects.csv.
func RejectsPath(out string) string { return siblingPath(out, ".rejects.csv") }

// PseudonymsPath is where Encode keeps the record id → pseudonym mapping
// of the encoded file out: out with .pseudonyms.csv.
func PseudonymsPath(out string) string { return siblingPath(out, ".pseudonyms.csv") }

// siblingPath is out with its .swd.parquet (or other) extension replaced.
func siblingPath(out, suffix string) string {
	for _, ext := range []string{".swd.parquet", ".parquet"} {
		if strings.HasSuffix(out, ext) {
			return strings.TrimSuffix(out, ext) + suffix
		}
	}
	return out + suffix
}

// Encode encodes the partner export cfg.In into cfg.Out as swd encode does:
// it normalises each identifying field as the schema says and writes keyed
// Bloom-filter encodings plus the attributes the schema carries. Rows that
// cannot be encoded go to the rejects file with their row, line, record id,
// column and reason, never a value. The encoded, rejects and pseudonym
// files are one atomicfile.Set: they appear together and only when the run
// succeeds, a run killed while renaming them is completed by the next run
// on the same output, and cancelling ctx leaves none of them. An output in
// a directory that does not exist is a usage error, found before anything
// is read; a field missing in more rows than the schema allows is an
// encoding.MissingError naming the input (nothing is written).
func Encode(ctx context.Context, cfg EncodeConfig) (*EncodeResult, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	set, recovered, err := newOutputSet(cfg.Out, cfg.Logger)
	if err != nil {
		return nil, err
	}
	defer set.Abort()
	files, err := stageEncodeOutputs(set, &cfg)
	if err != nil {
		return nil, err
	}
	enc, err := cfg.encoder()
	if err != nil {
		return nil, err
	}
	in := cfg.Input
	in.TrimSpace = cfg.Schema.Input.TrimSpace
	r, err := table.Open(cfg.In, in)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	bind, err := enc.Bind(r.Header())
	if err != nil {
		return nil, inputError(err, cfg.In)
	}
	for _, c := range bind.Absent {
		cfg.Logger.Warn("column not in the input: its values are missing in every row", "file", cfg.In, "column", c)
	}
	for _, w := range cfg.Schema.WeakNameSalts() {
		cfg.Logger.Warn("name field open to frequency, cohort and pattern-mining attacks; salt it with the whole birth date (salt: date(f)), see docs/audit.md", "field", w)
	}
	seal, err := cfg.Seal.load(cfg.Out)
	if err != nil {
		return nil, err
	}
	res := &EncodeResult{In: cfg.In, Out: cfg.Out, Rejects: cfg.Rejects, Sealed: seal != nil, Renamed: bind.Renamed, Recovered: recovered}
	if enc.Pseudonymised() {
		res.Pseudonyms = PseudonymsPath(cfg.Out)
	}
	if res.Stats, res.Meta, err = encodeTo(ctx, &cfg, enc, r, seal.encodedPath(files.out), files); err != nil {
		return nil, err
	}
	if info, ok := table.TextInfoOf(r); ok {
		res.Text = &info
	}
	if err := seal.seal(enc.Partner(), files.out); err != nil {
		return nil, err
	}
	return res, set.Commit()
}

// encodeFiles are the staging names of an encode's outputs (see
// atomicfile.Set): the encoded (or sealed) file, the rejects file and the
// pseudonym map ("" without pseudonymised ids).
type encodeFiles struct{ out, rejects, pseudonyms string }

// stageEncodeOutputs stages the outputs of cfg in set, removing what
// killed runs left beside them.
func stageEncodeOutputs(set *atomicfile.Set, cfg *EncodeConfig) (encodeFiles, error) {
	var f encodeFiles
	var err error
	if f.rejects, err = set.Stage(cfg.Rejects); err != nil {
		return f, outputError(err)
	}
	if cfg.PseudonymiseIDs {
		if f.pseudonyms, err = set.Stage(PseudonymsPath(cfg.Out)); err != nil {
			return f, outputError(err)
		}
	}
	if f.out, err = set.Stage(cfg.Out); err != nil {
		return f, outputError(err)
	}
	return f, nil
}

// outputError marks an output that cannot be written because its directory
// newOutputSet starts the set of files one step writes to out (all or
// none; atomicfile.Set), first completing a set a killed run left half
// renamed (recovered says it did).
func newOutputSet(out string, log *slog.Logger) (set *atomicfile.Set, recovered bool, err error) {
	set, recovered, err = atomicfile.NewSet(out)
	if err != nil {
		return nil, false, outputError(err)
	}
	if recovered {
		log.Warn("a previous run on this output was interrupted while renaming its files: its set of files was completed first", "out", out)
	}
	return set, recovered, nil
}

// does not exist as a usage error (exit status 2 from the command).
func outputError(err error) error {
	if errors.Is(err, atomicfile.ErrNoDir) {
		return base.Mark(err, base.ErrUsage)
	}
	return err
}

// inputError names the input file in an error about its content: an
// InputError gets its File, a MissingError the path in front.
func inputError(err error, path string) error {
	var me *encoding.MissingError
	if errors.As(err, &me) {
		return fmt.Errorf("%s: %w", path, err)
	}
	return inFile(err, path)
}

// setDefaults fills the defaults in and checks what Encode needs.
func (c *EncodeConfig) setDefaults() error {
	switch {
	case c.Schema == nil || c.In == "" || c.Out == "":
		return base.Usagef("encode: a schema, an input and an output are required")
	case (c.Seal.To == "") != (c.Seal.SignWith == ""):
		return base.Usagef("encode: a sealed file must be signed by its partner: give both the recipient's public key and the partner's private key")
	case (c.Keyserver.URL == "") != (c.Keyserver.TokenFile == ""):
		return base.Usagef("encode: the keyserver URL and the token file go together")
	}
	if c.Rejects == "" {
		c.Rejects = RejectsPath(c.Out)
	}
	if c.Rejects == c.Out || c.Rejects == c.In || c.Out == c.In {
		return base.Usagef("encode: the input, the output and the rejects file must be different files")
	}
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.CodeVersion == "" {
		c.CodeVersion = CodeVersion()
	}
	c.Logger = orDiscard(c.Logger)
	return nil
}

// encoder builds the encoder the config describes.
func (c *EncodeConfig) encoder() (*encoding.Encoder, error) {
	opts := []encoding.Option{encoding.WithWorkers(c.Workers), encoding.WithAllowMissing(c.AllowMissing...)}
	if c.PseudonymiseIDs {
		opts = append(opts, encoding.WithPseudonymisedIDs())
		attr := c.HouseholdAttr
		if attr == "" {
			attr = linkage.DefaultHouseholdAttr
		}
		if slices.ContainsFunc(c.Schema.Attributes, func(a schema.Attribute) bool { return a.Name == attr }) {
			opts = append(opts, encoding.WithPseudonymisedAttrs(attr))
		}
	}
	if c.Keyserver.URL != "" {
		tok, err := keyserver.ReadToken(c.Keyserver.TokenFile)
		if err != nil {
			return nil, err
		}
		client := keyserver.Client{URL: c.Keyserver.URL, Token: tok}
		opts = append(opts, encoding.WithOPRF(client.Pseudonyms))
	}
	return encoding.New(c.Schema, c.Secret, c.Partner, opts...)
}

// encodeTo runs the encoder from r into the encoded file at path and the
// staged rejects and (optional) pseudonym files. Each is complete at its
// staging name when encodeTo returns without error; the caller's set
// renames them into place.
func encodeTo(ctx context.Context, cfg *EncodeConfig, enc *encoding.Encoder, r table.Reader, path string, files encodeFiles) (encoding.Stats, encoding.Meta, error) {
	var st encoding.Stats
	w, err := encfile.Create(path, enc.Layout(), enc.Partner())
	if err != nil {
		return st, encoding.Meta{}, err
	}
	defer w.Abort()
	rej, err := table.NewRejectsWriter(files.rejects)
	if err != nil {
		return st, encoding.Meta{}, err
	}
	defer rej.Abort()
	ids, err := newPseudonymFile(files.pseudonyms, enc)
	if err != nil {
		return st, encoding.Meta{}, err
	}
	defer ids.abort()
	var why rejectReasons
	if st, err = runEncoder(ctx, cfg, enc, r, w, rej, ids, &why); err != nil {
		return st, encoding.Meta{}, err
	}
	if st.Encoded == 0 {
		return st, encoding.Meta{}, &base.InputError{File: cfg.In, Reason: fmt.Sprintf("none of the %d rows could be encoded: %s", st.Read, why.String())}
	}
	if err := rej.Commit(); err != nil {
		return st, encoding.Meta{}, err
	}
	if err := ids.commit(); err != nil {
		return st, encoding.Meta{}, err
	}
	meta := enc.Meta(st)
	meta.Created = time.Now().UTC().Truncate(time.Second)
	meta.CodeVersion = cfg.CodeVersion
	return st, meta, w.Commit(meta)
}

// runEncoder encodes every row of r, records into w, rejects into rej (and
// their reasons into why) and pseudonyms into ids.
func runEncoder(ctx context.Context, cfg *EncodeConfig, enc *encoding.Encoder, r table.Reader,
	w *encfile.Writer, rej *table.RejectsWriter, ids *pseudonymFile, why *rejectReasons) (encoding.Stats, error) {
	var done int64
	st, err := enc.Encode(ctx, r.Header(), r, encoding.Output{
		Record: func(id string, rec *encoding.Record) error {
			if err := ids.write(id, rec.RecordID); err != nil {
				return err
			}
			return w.Write(rec)
		},
		Reject: func(x encoding.Reject) error {
			why.add(x)
			return rej.Add(table.Rejection{Row: x.Row, Line: x.Line, Char: x.Char, RecordID: x.RecordID, Column: x.Column, Reason: x.Reason})
		},
		Progress: func(rows int) {
			done += int64(rows)
			cfg.Progress.report("encoding", done, -1)
		},
	})
	if err != nil {
		return st, inputError(err, cfg.In)
	}
	if st.Read == 0 {
		return st, &base.InputError{File: cfg.In, Reason: "no data rows (the file holds a header only)"}
	}
	return st, nil
}

// rejectReasons counts the rejects by column and reason, for the error of
// a run that could encode no row (it writes no rejects file).
type rejectReasons struct {
	keys  []string
	count map[string]int
	rows  map[string][]int
}

func (r *rejectReasons) add(x encoding.Reject) {
	k := x.Reason
	if x.Column != "" {
		k = "column " + strconv.Quote(x.Column) + ": " + k
	}
	if r.count == nil {
		r.count, r.rows = map[string]int{}, map[string][]int{}
	}
	if r.count[k] == 0 {
		r.keys = append(r.keys, k)
	}
	r.count[k]++
	if len(r.rows[k]) < 3 {
		r.rows[k] = append(r.rows[k], x.Row)
	}
}

// String lists the three most frequent reasons with their counts and
// first rows.
func (r *rejectReasons) String() string {
	keys := slices.Clone(r.keys)
	slices.SortStableFunc(keys, func(a, b string) int { return r.count[b] - r.count[a] })
	var parts []string
	for _, k := range keys[:min(3, len(keys))] {
		rows := make([]string, len(r.rows[k]))
		for i, n := range r.rows[k] {
			rows[i] = strconv.Itoa(n)
		}
		parts = append(parts, fmt.Sprintf("%d × %s (rows %s…)", r.count[k], k, strings.Join(rows, ", ")))
	}
	if len(keys) > 3 {
		parts = append(parts, fmt.Sprintf("and %d other reasons", len(keys)-3))
	}
	return strings.Join(parts, "; ")
}
