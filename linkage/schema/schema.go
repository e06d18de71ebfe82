package schema

import (
	"fmt"
	"strings"
)

// Version is the schema format version this code reads and writes.
const Version = 1

// DefaultCLKBits is the size of the record-level CLK when the schema does not
// set one.
const DefaultCLKBits = 1024

// Schema is a complete, validated encoding schema. After Parse every option
// holds its effective value (defaults filled in).
type Schema struct {
	Version    int         `yaml:"version"`
	Partner    string      `yaml:"partner,omitempty"`
	IDColumn   string      `yaml:"id_column"`
	Input      Input       `yaml:"input"`
	CLK        CLK         `yaml:"clk"`
	Fields     []Field     `yaml:"fields"`
	Blocking   []BlockKey  `yaml:"blocking,omitempty"`
	Attributes []Attribute `yaml:"attributes,omitempty"`
}

// Input describes how cells are read before normalisation.
type Input struct {
	// TrimSpace removes spaces around every cell and header name (FEBRL
	// separates values with ", ").
	TrimSpace bool `yaml:"trim_space"`
	// MissingValues are cell contents that mean "no value", compared after
	// trimming and case-insensitively (e.g. NA, NULL, -).
	MissingValues []string `yaml:"missing_values"`
	// Aliases lists, for a column the schema names (the id column, a
	// field's or an attribute's source column), other header names that
	// mean the same column in some partner's export ("COGNOME_ASSISTITO",
	// "Data di nascita"). Every name is matched ignoring case, accents,
	// blanks and punctuation; an alias is tried only when the column's own
	// name is not in the header.
	Aliases map[string][]string `yaml:"aliases,omitempty"`
}

// DefaultMaxMissing is the share of encoded rows in which a field may be
// missing before swd encode refuses the file (Field.MaxMissing).
const DefaultMaxMissing = 0.5

// CLK is the record-level Cryptographic Long-term Key: every field with a
// positive CLKK hashes its tokens into it.
type CLK struct {
	Bits      int       `yaml:"bits"`
	Hardening Hardening `yaml:"hardening"`
}

// Hardening lists the defences against frequency and pattern-mining attacks
// applied to a filter, in this order: balancing, XOR-folding, BLIP.
type Hardening struct {
	// Balance appends the complement of the filter, doubling its size and
	// making every filter's popcount exactly half its length.
	Balance bool `yaml:"balance"`
	// XORFold folds the filter in half (first half XOR second half).
	XORFold bool `yaml:"xor_fold"`
	// BLIP flips each bit with this probability (randomised response),
	// deterministically for a given secret and filter; 0 disables it.
	BLIP float64 `yaml:"blip"`
}

// OutputBits is the size of a filter of bits bits after h.
func (h Hardening) OutputBits(bits int) int {
	if h.Balance {
		bits *= 2
	}
	if h.XORFold {
		bits /= 2
	}
	return bits
}

// Kind is what a field holds; it selects the normaliser and the default
// tokenisation.
type Kind string

// Field kinds.
const (
	KindName       Kind = "name"        // personal name (surname or given name)
	KindDate       Kind = "date"        // a date, e.g. of birth
	KindSex        Kind = "sex"         // M/F in any common spelling
	KindFiscalCode Kind = "fiscal_code" // Italian codice fiscale
	KindAddress    Kind = "address"     // street address
	KindPostcode   Kind = "postcode"    // CAP / postcode
	KindPhone      Kind = "phone"       // phone number
	KindText       Kind = "text"        // free text, folded
	KindExact      Kind = "exact"       // identifier compared exactly
)

// Kinds lists the field kinds in documentation order.
var Kinds = []Kind{KindName, KindDate, KindSex, KindFiscalCode, KindAddress, KindPostcode, KindPhone, KindText, KindExact}

func (k Kind) valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Field is one identifying field, encoded into its own Bloom filter (column
// f_<name> of the encoded file) and, when CLKK > 0, into the CLK.
type Field struct {
	Name string `yaml:"name"`
	Kind Kind   `yaml:"kind"`
	// Column is a shorthand for a single source column.
	Column string `yaml:"column,omitempty"`
	// Columns are concatenated, separated by a space, before normalisation.
	Columns []string `yaml:"columns"`
	// Required rejects a row whose value is missing or invalid.
	Required bool `yaml:"required"`
	// Formats are Go time layouts tried in order (date fields only).
	Formats   []string  `yaml:"formats,omitempty"`
	Normalize Normalize `yaml:"normalize"`
	Tokens    Tokens    `yaml:"tokens"`
	Bits      int       `yaml:"bits"`  // filter size before hardening, a multiple of 64
	K         int       `yaml:"k"`     // hash positions per token in the field filter
	CLKK      int       `yaml:"clk_k"` // hash positions per token in the CLK; 0: not in the CLK
	Salt      string    `yaml:"salt,omitempty"`
	// SaltPart is what of a date salt source salts the tokens: "" (the
	// year, written salt: year(f) or salt: f) or "date" (the whole
	// normalised date, written salt: date(f)). Other sources always salt
	// with their whole normalised value.
	SaltPart string `yaml:"salt_part,omitempty"`
	// Key names the field whose key hashes this field's tokens: "" (or
	// the field's own name) for its own. A field keyed with another
	// field's key encodes a value as that field would, so the linker can
	// compare the two with each other: a given name written in the
	// surname's column and the surname in the given name's (the two
	// fields must then agree in kind, size, hash counts, salt and
	// hardening).
	Key string `yaml:"key,omitempty"`
	// OPRF replaces the normalised value (fiscal_code and exact fields) by
	// its oblivious-PRF pseudonym from the keyserver before tokenisation, so
	// that not even a holder of the linkage secret can encode guesses
	// offline (swd encode --oprf URL --oprf-token FILE).
	OPRF bool `yaml:"oprf,omitempty"`
	// MaxMissing is the largest share of encoded rows (0 to 1) in which
	// the field may be missing or invalid: above it, swd encode stops
	// with an error naming the field and the share (a column lost to a
	// renamed header must not encode as "missing everywhere"), unless the
	// partner declares it does not collect the field (--allow-missing).
	// Nil means DefaultMaxMissing; 1 turns the check off.
	MaxMissing *float64   `yaml:"max_missing,omitempty"`
	Hardening  Hardening  `yaml:"hardening"`
	raw        rawPresent `yaml:"-"`
}

// KeyName is the name of the field whose key hashes f's tokens: f.Key, or
// f's own name.
func (f *Field) KeyName() string {
	if f.Key == "" {
		return f.Name
	}
	return f.Key
}

// SaltPartDate is the SaltPart that salts with a whole date.
const SaltPartDate = "date"

// rawPresent remembers which options the YAML set, for validation.
type rawPresent struct {
	formats  bool
	saltYear bool // salt was written year(f)
}

// Normalize holds the normalisation options of a field.
type Normalize struct {
	// Particles joins surname particles to the following word (name).
	Particles bool `yaml:"particles"`
	// Transliterate folds transliteration variants (name).
	Transliterate bool `yaml:"transliterate"`
	// Precision of a date: day, month or year.
	Precision string `yaml:"precision,omitempty"`
	// Length left-pads an all-digit postcode with zeros to this length.
	Length int `yaml:"length,omitempty"`
	// Abbreviations expands street-type abbreviations (address).
	Abbreviations bool `yaml:"abbreviations"`
}

// Tokens holds the tokenisation options of a field.
type Tokens struct {
	Q       int  `yaml:"q"`       // q-gram size; 0: no q-grams
	Padding bool `yaml:"padding"` // frame the value with q-1 pad characters
	Exact   bool `yaml:"exact"`   // one token for the whole normalised value
	Parts   bool `yaml:"parts"`   // names: one token per part; dates: y/m/d tokens
	Swap    bool `yaml:"swap"`    // dates: an order-free day/month token
}

// BlockKey is a keyed blocking key: the parts are computed from normalised
// fields, joined and MACed; column bk_<name> holds the first Bytes bytes in
// hex. A record with any part missing has no key.
type BlockKey struct {
	Name  string   `yaml:"name"`
	Parts []string `yaml:"parts"` // e.g. soundex(surname), year(birth_date), value(fiscal_code), first(name,2)
	Bytes int      `yaml:"bytes"`
}

// Attribute is a column carried in the clear (column a_<name>).
type Attribute struct {
	Name   string `yaml:"name"`
	Column string `yaml:"column"`
}

// MissingLimit is f.MaxMissing, or DefaultMaxMissing when not set.
func (f *Field) MissingLimit() float64 {
	if f.MaxMissing == nil {
		return DefaultMaxMissing
	}
	return *f.MaxMissing
}

// Columns lists every source column the schema reads: the id column, then
// the fields' columns, then the attributes' columns, each once.
func (s *Schema) Columns() []string {
	cols := []string{s.IDColumn}
	add := func(c string) {
		for _, x := range cols {
			if x == c {
				return
			}
		}
		cols = append(cols, c)
	}
	for _, f := range s.Fields {
		for _, c := range f.Columns {
			add(c)
		}
	}
	for _, a := range s.Attributes {
		add(a.Column)
	}
	return cols
}

// Field returns the field called name, or nil.
func (s *Schema) Field(name string) *Field {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}

// FieldError locates a problem in a schema.
type FieldError struct {
	Section string // "field", "blocking", "attribute", "clk", ...
	Name    string
	Problem string
}

func (e *FieldError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("schema: %s: %s", e.Section, e.Problem)
	}
	return fmt.Sprintf("schema: %s %q: %s", e.Section, e.Name, e.Problem)
}

func fieldErr(section, name, format string, args ...any) error {
	return &FieldError{Section: section, Name: name, Problem: fmt.Sprintf(format, args...)}
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
