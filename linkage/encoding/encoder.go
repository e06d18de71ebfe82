package encoding

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/normalize"
	"github.com/welfare-district/swd/linkage/schema"
)

// Encoder turns rows of a partner export into encoded Records as a schema
// prescribes, under a linkage secret. It is safe for concurrent use: all
// mutable state (caches, MACs, buffers) lives in per-worker values.
type Encoder struct {
	schema        *schema.Schema
	partner       string
	plans         []fieldPlan
	order         []int // field indices, unsalted fields first (salts are never salted)
	sexField      int   // first sex field, or -1
	dateField     int   // first day-precision date field, or -1
	cfFields      []int // fiscal-code fields
	blocks        []blockPlan
	clkBits       int
	clkOutBits    int
	pseudoKey     []byte // nil unless ids are pseudonymised
	blipKey       []byte
	missing       []string
	missingMaxLen int
	workers       int
	cacheEntries  int
	batchSize     int
	keyCheck      string
	oprf          PseudonymFunc
	oprfFields    []int
	allowMissing  map[string]bool // fields the partner does not collect
}

// PseudonymFunc returns, for each input, its pseudonym under a key the
// caller does not hold: an oblivious PRF evaluated by the keyserver
// (internal/keyserver Client.Pseudonyms). Errors must not contain inputs.
type PseudonymFunc func(ctx context.Context, inputs [][]byte) ([][]byte, error)

// WithOPRF sets the pseudonym source for the fields whose schema says
// oprf: true. Each batch's distinct values go to fn in one call; the
// pseudonym (hex) replaces the normalised value before tokenisation and in
// value() blocking-key parts.
func WithOPRF(fn PseudonymFunc) Option {
	return func(e *Encoder) error { e.oprf = fn; return nil }
}

type blockPlan struct {
	schema.BlockKey
	parts  []schema.Part
	fields []int
	key    []byte
}

// Option configures an Encoder.
type Option func(*Encoder) error

// WithPseudonymisedIDs replaces every record id by a keyed pseudonym
// (hex of HMAC-SHA256 under HKDF(secret, "swd/v1/pseudonym"), 16 bytes, of
// partner and id).
func WithPseudonymisedIDs() Option {
	return func(e *Encoder) error { e.pseudoKey = []byte{}; return nil }
}

// WithWorkers sets the number of encoding goroutines (default 1).
func WithWorkers(n int) Option {
	return func(e *Encoder) error {
		if n < 1 {
			return base.Usagef("encoding: workers must be at least 1, not %d", n)
		}
		e.workers = n
		return nil
	}
}

// WithCacheEntries bounds each worker's per-field token cache (default
// 16384 tokens, and half as many values; 0 disables caching). Output does
// not depend on it.
func WithCacheEntries(n int) Option {
	return func(e *Encoder) error {
		if n < 0 {
			return base.Usagef("encoding: cache entries must not be negative")
		}
		e.cacheEntries = n
		return nil
	}
}

// WithBatchSize sets the rows per unit of parallel work (default 512).
func WithBatchSize(n int) Option {
	return func(e *Encoder) error {
		if n < 1 {
			return base.Usagef("encoding: batch size must be at least 1")
		}
		e.batchSize = n
		return nil
	}
}

// New returns an encoder for a validated schema. partner names the data
// holder in the output (it overrides the schema's partner).
func New(s *schema.Schema, secret Secret, partner string, opts ...Option) (*Encoder, error) {
	if partner == "" {
		partner = s.Partner
	}
	if partner == "" {
		return nil, base.Usagef("encoding: no partner name (set partner in the schema or pass one)")
	}
	e := &Encoder{
		schema: s, partner: partner, sexField: -1, dateField: -1,
		clkBits: s.CLK.Bits, clkOutBits: s.CLK.Hardening.OutputBits(s.CLK.Bits),
		blipKey: secret.Key("swd/v1/blip"),
		workers: 1, cacheEntries: defaultCacheEntries, batchSize: 512,
		keyCheck: secret.KeyCheck(),
	}
	for _, o := range opts {
		if err := o(e); err != nil {
			return nil, err
		}
	}
	if e.pseudoKey != nil {
		e.pseudoKey = secret.Key("swd/v1/pseudonym")
	}
	for i, f := range s.Fields {
		if f.OPRF {
			if e.oprf == nil {
				return nil, base.Usagef("encoding: field %q is pseudonymised by the keyserver (oprf: true): give an OPRF client (swd encode --oprf URL --oprf-token FILE)", f.Name)
			}
			e.oprfFields = append(e.oprfFields, i)
		}
	}
	for _, m := range s.Input.MissingValues {
		if m = strings.TrimSpace(m); m != "" {
			e.missing = append(e.missing, m)
			e.missingMaxLen = max(e.missingMaxLen, len(m))
		}
	}
	if err := e.compileFields(secret); err != nil {
		return nil, err
	}
	return e, e.compileBlocks(secret)
}

func (e *Encoder) compileFields(secret Secret) error {
	for i, f := range e.schema.Fields {
		prec, err := f.Precision()
		if err != nil {
			return base.Mark(err, base.ErrInvalidInput)
		}
		var layouts *normalize.DateLayouts
		if f.Kind == schema.KindDate {
			f.Formats = normalize.ExpandLayouts(f.Formats)
			layouts = normalize.CompileDateLayouts(f.Formats)
		}
		p := fieldPlan{Field: f, index: i, precision: prec, layouts: layouts, salt: -1,
			outBits: f.Hardening.OutputBits(f.Bits), key: secret.Key("swd/v1/field/" + f.Name)}
		for j, g := range e.schema.Fields {
			if f.Salt != "" && g.Name == f.Salt {
				p.salt = j
			}
		}
		switch {
		case f.Kind == schema.KindSex && e.sexField < 0:
			e.sexField = i
		case f.Kind == schema.KindDate && e.dateField < 0 && f.Normalize.Precision != "year" && f.Normalize.Precision != "month":
			e.dateField = i
		case f.Kind == schema.KindFiscalCode:
			e.cfFields = append(e.cfFields, i)
		}
		e.plans = append(e.plans, p)
	}
	for pass := range 2 {
		for i := range e.plans {
			if (e.plans[i].salt >= 0) == (pass == 1) {
				e.order = append(e.order, i)
			}
		}
	}
	return nil
}

func (e *Encoder) compileBlocks(secret Secret) error {
	for _, b := range e.schema.Blocking {
		bp := blockPlan{BlockKey: b, key: secret.Key("swd/v1/block/" + b.Name)}
		for _, ps := range b.Parts {
			part, err := e.schema.ParsePart(ps)
			if err != nil {
				return base.Invalidf("schema: blocking key %q: %v", b.Name, err)
			}
			bp.parts = append(bp.parts, part)
			for j, f := range e.schema.Fields {
				if f.Name == part.Field {
					bp.fields = append(bp.fields, j)
					if part.Func == schema.FuncSoundex {
						e.plans[j].phonetic = true
					}
				}
			}
		}
		e.blocks = append(e.blocks, bp)
	}
	return nil
}

// isMissing reports whether a trimmed cell is a missing-value marker.
func (e *Encoder) isMissing(s string) bool {
	for _, m := range e.missing {
		if strings.EqualFold(s, m) {
			return true
		}
	}
	return false
}

// Partner is the partner name written into the output.
func (e *Encoder) Partner() string { return e.partner }

// Schema is the encoder's schema.
func (e *Encoder) Schema() *schema.Schema { return e.schema }

// Pseudonymised reports whether record ids are replaced by pseudonyms.
func (e *Encoder) Pseudonymised() bool { return e.pseudoKey != nil }

// Layout is the column layout of the records the encoder produces.
func (e *Encoder) Layout() Layout {
	l := Layout{CLKBits: e.clkOutBits}
	for _, p := range e.plans {
		l.Fields = append(l.Fields, FieldSpec{Name: p.Name, Bits: p.outBits})
	}
	for _, b := range e.blocks {
		l.BlockKeys = append(l.BlockKeys, b.Name)
	}
	for _, a := range e.schema.Attributes {
		l.Attrs = append(l.Attrs, a.Name)
	}
	return l
}

// recordWords is the number of 64-bit words one record's filters take.
func (e *Encoder) recordWords() int {
	n := bitvec.WordsFor(e.clkOutBits)
	for _, p := range e.plans {
		n += bitvec.WordsFor(p.outBits)
	}
	return n
}

// Binding maps the schema's columns to positions in a header.
type Binding struct {
	idCol    int
	fields   [][]int // per field: column indexes, -1 when absent
	attrs    []int   // -1 when absent
	needCols int     // 1 + the largest index used
	// Absent lists the source columns of optional fields and attributes that
	// the header lacks: those values are missing in every row.
	Absent []string
	// Renamed lists the schema columns found under another header name
	// (another case or spelling, or an alias).
	Renamed []ColumnMatch
}

// ColumnMatch says which header column a schema column was read from.
type ColumnMatch struct {
	Column string // as the schema names it
	Header string // as the header spells it
}

// Bind matches the schema's column names against header. A column is
// found under its own name, else under a name equal to it, or to one of
// its aliases (schema input.aliases), ignoring case, accents, blanks and
// punctuation ("COGNOME", " Data di nascita " for an alias "data di
// nascita"); two header columns that would both match are an error. The id
// column, and every column of a required field, must be present; a missing
// one is an error that names it. A field all of whose columns are absent
// is a *MissingError unless the partner does not collect it
// (WithAllowMissing) or its max_missing is 1. Columns of other optional
// fields and of attributes may be absent (Binding.Absent).
func (e *Encoder) Bind(header []string) (*Binding, error) {
	if len(header) == 0 {
		return nil, &base.InputError{Reason: "the input has no header row (is it empty?)"}
	}
	m, err := newHeaderMatcher(header, e.schema.Input.TrimSpace, e.schema.Input.Aliases)
	if err != nil {
		return nil, err
	}
	b := &Binding{idCol: -1}
	var missing []string
	look := func(col string, required bool) (int, error) {
		i, name, err := m.find(col)
		if err != nil {
			return -1, err
		}
		if i < 0 {
			if required {
				missing = append(missing, col)
			} else {
				b.Absent = append(b.Absent, col)
			}
			return -1, nil
		}
		if name != col && !slices.ContainsFunc(b.Renamed, func(c ColumnMatch) bool { return c.Column == col }) {
			b.Renamed = append(b.Renamed, ColumnMatch{Column: col, Header: name})
		}
		b.needCols = max(b.needCols, i+1)
		return i, nil
	}
	if b.idCol, err = look(e.schema.IDColumn, true); err != nil {
		return nil, err
	}
	var absentField *MissingError
	for _, p := range e.plans {
		cols := make([]int, len(p.Columns))
		found := false
		for j, c := range p.Columns {
			if cols[j], err = look(c, p.Required); err != nil {
				return nil, err
			}
			found = found || cols[j] >= 0
		}
		if !found && !p.Required && absentField == nil && !e.allowMissing[p.Name] && p.MissingLimit() < 1 {
			absentField = &MissingError{Field: p.Name, Columns: p.Columns, Limit: p.MissingLimit(), Absent: true}
		}
		b.fields = append(b.fields, cols)
	}
	for _, a := range e.schema.Attributes {
		i, err := look(a.Column, false)
		if err != nil {
			return nil, err
		}
		b.attrs = append(b.attrs, i)
	}
	if len(missing) > 0 {
		return nil, &base.InputError{Column: missing[0],
			Reason: fmt.Sprintf("required column not in the header (missing: %s; the header has: %s)", strings.Join(missing, ", "), m.list())}
	}
	if absentField != nil {
		return nil, absentField
	}
	return b, nil
}
