package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"time"

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
// cannot be encoded go to the rejects file with their row, record id,
// column and reason, never a value. The encoded, rejects and pseudonym
// files appear together and only when the run succeeds; cancelling ctx
// leaves none of them.
func Encode(ctx context.Context, cfg EncodeConfig) (*EncodeResult, error) {
	if err := cfg.setDefaults(); err != nil {
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
		return nil, inFile(err, cfg.In)
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
	res := &EncodeResult{In: cfg.In, Out: cfg.Out, Rejects: cfg.Rejects, Sealed: seal != nil}
	if enc.Pseudonymised() {
		res.Pseudonyms = PseudonymsPath(cfg.Out)
	}
	if res.Stats, res.Meta, err = encodeTo(ctx, &cfg, enc, r, seal.encodedPath(cfg.Out)); err != nil {
		return nil, err
	}
	if err := seal.seal(enc.Partner()); err != nil {
		return nil, err
	}
	return res, nil
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
	opts := []encoding.Option{encoding.WithWorkers(c.Workers)}
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

// encodeTo runs the encoder from r into the encoded file at path, the
// rejects file and (optional) pseudonym file, committing all of them only
// when the run succeeds.
func encodeTo(ctx context.Context, cfg *EncodeConfig, enc *encoding.Encoder, r table.Reader, path string) (encoding.Stats, encoding.Meta, error) {
	var st encoding.Stats
	w, err := encfile.Create(path, enc.Layout(), enc.Partner())
	if err != nil {
		return st, encoding.Meta{}, err
	}
	defer w.Abort()
	rej, err := table.NewRejectsWriter(cfg.Rejects)
	if err != nil {
		return st, encoding.Meta{}, err
	}
	defer rej.Abort()
	ids, err := newPseudonymFile(PseudonymsPath(cfg.Out), enc)
	if err != nil {
		return st, encoding.Meta{}, err
	}
	defer ids.abort()
	if st, err = runEncoder(ctx, cfg, enc, r, w, rej, ids); err != nil {
		return st, encoding.Meta{}, err
	}
	if err := rej.Commit(); err != nil {
		return st, encoding.Meta{}, err
	}
	if st.Encoded == 0 {
		return st, encoding.Meta{}, &base.InputError{File: cfg.In, Reason: fmt.Sprintf("none of the %d rows could be encoded; see %s", st.Read, cfg.Rejects)}
	}
	if err := ids.commit(); err != nil {
		return st, encoding.Meta{}, err
	}
	meta := enc.Meta(st)
	meta.Created = time.Now().UTC().Truncate(time.Second)
	meta.CodeVersion = cfg.CodeVersion
	return st, meta, w.Commit(meta)
}

// runEncoder encodes every row of r, records into w, rejects into rej and
// pseudonyms into ids.
func runEncoder(ctx context.Context, cfg *EncodeConfig, enc *encoding.Encoder, r table.Reader,
	w *encfile.Writer, rej *table.RejectsWriter, ids *pseudonymFile) (encoding.Stats, error) {
	var done int64
	st, err := enc.Encode(ctx, r.Header(), r, encoding.Output{
		Record: func(id string, rec *encoding.Record) error {
			if err := ids.write(id, rec.RecordID); err != nil {
				return err
			}
			return w.Write(rec)
		},
		Reject: func(x encoding.Reject) error { return rej.Reject(x.Row, x.RecordID, x.Column, x.Reason) },
		Progress: func(rows int) {
			done += int64(rows)
			cfg.Progress.report("encoding", done, -1)
		},
	})
	if err != nil {
		return st, inFile(err, cfg.In)
	}
	if st.Read == 0 {
		return st, &base.InputError{File: cfg.In, Reason: "no data rows (the file holds a header only)"}
	}
	return st, nil
}
