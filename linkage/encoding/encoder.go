package encoding

import (
	"context"
	"slices"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/schema"
)

// Encoder turns rows of a partner export into encoded Records as a schema
// prescribes, under a linkage secret. It is safe for concurrent use: all
// mutable state (caches, MACs, buffers) lives in per-worker values.
type Encoder struct {
	Normaliser   // reads the cells; its plans get the field keys
	partner      string
	sexField     int   // first sex field, or -1
	dateField    int   // first day-precision date field, or -1
	cfFields     []int // fiscal-code fields
	blocks       []blockPlan
	clkBits      int
	clkOutBits   int
	pseudoKey    []byte // nil unless ids are pseudonymised
	pseudoAttrs  []string
	attrKeys     [][]byte // per attribute: pseudonym key, nil when carried as is
	blipKey      []byte
	workers      int
	cacheEntries int
	batchSize    int
	keyCheck     string
	oprf         PseudonymFunc
	oprfFields   []int
	allowMissing map[string]bool // fields the partner does not collect
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

// WithPseudonymisedAttrs replaces the values of the named attributes (the
// partner's own household id) by keyed pseudonyms: hex of the first 16
// bytes of HMAC-SHA256 under HKDF(secret, "swd/v1/pseudonym/attr/<name>")
// of partner and value. Equal values stay equal within a partner, which is
// all the linker needs of a household id. Names the schema does not carry
// are an error.
func WithPseudonymisedAttrs(names ...string) Option {
	return func(e *Encoder) error { e.pseudoAttrs = append(e.pseudoAttrs, names...); return nil }
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
		Normaliser: Normaliser{schema: s}, partner: partner, sexField: -1, dateField: -1,
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
	e.attrKeys = make([][]byte, len(s.Attributes))
	for _, name := range e.pseudoAttrs {
		i := slices.IndexFunc(s.Attributes, func(a schema.Attribute) bool { return a.Name == name })
		if i < 0 {
			return nil, base.Usagef("encoding: no attribute %q in the schema to pseudonymise", name)
		}
		e.attrKeys[i] = secret.Key("swd/v1/pseudonym/attr/" + name)
	}
	for i, f := range s.Fields {
		if f.OPRF {
			if e.oprf == nil {
				return nil, base.Usagef("encoding: field %q is pseudonymised by the keyserver (oprf: true): give an OPRF client (swd encode --oprf URL --oprf-token FILE)", f.Name)
			}
			e.oprfFields = append(e.oprfFields, i)
		}
	}
	if err := e.compile(); err != nil {
		return nil, err
	}
	e.keyFields(secret)
	return e, e.compileBlocks(secret)
}

// keyFields gives each field its key and finds the fields the fiscal-code
// check reads.
func (e *Encoder) keyFields(secret Secret) {
	for i := range e.plans {
		f := &e.plans[i].Field
		e.plans[i].key = secret.Key("swd/v1/field/" + f.KeyName())
		if f.KeyName() != f.Name && f.CLKK > 0 {
			e.plans[i].clkPerm = clkPermutation(secret.Key("swd/v1/clk/"+f.Name), e.clkBits)
		}
		switch {
		case f.Kind == schema.KindSex && e.sexField < 0:
			e.sexField = i
		case f.Kind == schema.KindDate && e.dateField < 0 && f.Normalize.Precision != "year" && f.Normalize.Precision != "month":
			e.dateField = i
		case f.Kind == schema.KindFiscalCode:
			e.cfFields = append(e.cfFields, i)
		}
	}
}

// clkPermutation is a keyed permutation of the CLK's bit positions. A
// field hashed under another field's key (schema key:) would otherwise set
// the same CLK bits for the same token as that field does: the tokens of
// the two fields would meet in the CLK, every pair of CLKs would look more
// alike and the CLK blocking would propose more pairs (a quarter more at
// 400,000 synth households). Its CLK positions go through this
// permutation, so that they are as unrelated to the other field's as
// those of two fields with their own keys.
func clkPermutation(key []byte, bits int) []uint32 {
	rng := newXoshiro(key)
	perm := make([]uint32, bits)
	for i := range perm {
		perm[i] = uint32(i)
	}
	for i := bits - 1; i > 0; i-- {
		j := int(rng.next() % uint64(i+1))
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm
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

// Partner is the partner name written into the output.
func (e *Encoder) Partner() string { return e.partner }

// Pseudonymised reports whether record ids are replaced by pseudonyms.
func (e *Encoder) Pseudonymised() bool { return e.pseudoKey != nil }

// PseudonymisedAttrs lists the attributes whose values are replaced by
// pseudonyms, in schema order.
func (e *Encoder) PseudonymisedAttrs() []string {
	var out []string
	for i, k := range e.attrKeys {
		if k != nil {
			out = append(out, e.schema.Attributes[i].Name)
		}
	}
	return out
}

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

// Bind matches the schema's column names against header as the
// Normaliser does, and fails closed on a field all of whose columns are
// absent: that is a *MissingError unless the partner does not collect the
// field (WithAllowMissing) or its max_missing is 1.
func (e *Encoder) Bind(header []string) (*Binding, error) {
	b, err := e.Normaliser.Bind(header)
	if err != nil {
		return nil, err
	}
	for i, p := range e.plans {
		if p.Required || e.allowMissing[p.Name] || p.MissingLimit() >= 1 || slices.ContainsFunc(b.fields[i], func(c int) bool { return c >= 0 }) {
			continue
		}
		return nil, &MissingError{Field: p.Name, Columns: p.Columns, Limit: p.MissingLimit(), Absent: true}
	}
	return b, nil
}
