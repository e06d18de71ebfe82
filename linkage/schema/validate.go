package schema

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/welfare-district/swd/linkage/normalize"
)

var identRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Validate checks the schema and returns the first problem found, naming the
// section and the field, blocking key or attribute concerned.
func (s *Schema) Validate() error {
	if s.Version != Version {
		return fieldErr("version", "", "version %d is not supported (this swd reads version %d)", s.Version, Version)
	}
	if s.IDColumn == "" {
		return fieldErr("id_column", "", "the record-id column must be set")
	}
	if s.Partner != "" && !identRE.MatchString(s.Partner) {
		return fieldErr("partner", "", "a partner name is lower-case letters, digits and _, starting with a letter")
	}
	if err := validateCLK(s.CLK); err != nil {
		return err
	}
	if len(s.Fields) == 0 {
		return fieldErr("fields", "", "the schema has no fields")
	}
	seen := map[string]bool{}
	inCLK := false
	for i := range s.Fields {
		f := &s.Fields[i]
		if err := f.validate(); err != nil {
			return err
		}
		if seen[f.Name] {
			return fieldErr("field", f.Name, "defined twice")
		}
		seen[f.Name] = true
		inCLK = inCLK || f.CLKK > 0
	}
	if !inCLK {
		return fieldErr("clk", "", "no field enters the CLK: give at least one field a clk_k above 0")
	}
	for i := range s.Fields {
		if err := s.validateSalt(&s.Fields[i]); err != nil {
			return err
		}
		if err := s.validateKey(&s.Fields[i]); err != nil {
			return err
		}
	}
	if err := s.validateBlocking(); err != nil {
		return err
	}
	if err := s.validateAttributes(); err != nil {
		return err
	}
	return s.validateAliases()
}

// validateAliases checks that every alias belongs to a column the schema
// reads and that no header name could mean two columns.
func (s *Schema) validateAliases() error {
	cols := s.Columns()
	owner := map[string]string{} // folded name → column
	for _, c := range cols {
		if o, dup := owner[FoldHeader(c)]; dup && o != c {
			return fieldErr("input", "", "columns %q and %q differ only in case, accents or punctuation, so a header cannot tell them apart", o, c)
		}
		owner[FoldHeader(c)] = c
	}
	// In sorted order of the columns, so that the error names the same pair
	// every time.
	for _, c := range slices.Sorted(maps.Keys(s.Input.Aliases)) {
		aliases := s.Input.Aliases[c]
		if !slices.Contains(cols, c) {
			return fieldErr("input", "", "aliases are given for %q, which is not a column the schema reads (%s)", c, strings.Join(cols, ", "))
		}
		for _, a := range aliases {
			k := FoldHeader(a)
			if k == "" {
				return fieldErr("input", "", "an empty alias of column %q", c)
			}
			if o, dup := owner[k]; dup && o != c {
				return fieldErr("input", "", "the alias %q of column %q would also match column %q", a, c, o)
			}
			owner[k] = c
		}
	}
	return nil
}

func validateCLK(c CLK) error {
	if c.Bits <= 0 || c.Bits%64 != 0 {
		return fieldErr("clk", "", "bits must be a positive multiple of 64, not %d", c.Bits)
	}
	if c.Bits > 1<<16 {
		return fieldErr("clk", "", "bits must be at most 65536")
	}
	if err := c.Hardening.validate(c.Bits); err != nil {
		return fieldErr("clk", "", "%v", err)
	}
	return nil
}

func (h Hardening) validate(bits int) error {
	if h.BLIP < 0 || h.BLIP >= 0.5 {
		return fmt.Errorf("hardening.blip must be in [0, 0.5), not %g", h.BLIP)
	}
	if h.Balance && h.XORFold {
		// Folding F || NOT F gives F XOR NOT F: a filter of all ones.
		return errors.New("hardening.balance and hardening.xor_fold together give a filter of all ones (F XOR NOT F), which carries nothing: choose one")
	}
	if out := h.OutputBits(bits); out%64 != 0 || out == 0 {
		return fmt.Errorf("after hardening the filter has %d bits, not a multiple of 64 (xor_fold needs a multiple of 128)", out)
	}
	return nil
}

func (f *Field) validate() error {
	e := func(format string, args ...any) error { return fieldErr("field", f.Name, format, args...) }
	switch {
	case f.Name == "":
		return fieldErr("field", "", "a field has no name")
	case !identRE.MatchString(f.Name):
		return e("a field name is lower-case letters, digits and _, starting with a letter")
	case f.Kind == "":
		return e("kind is missing (one of %s)", kindList())
	case !f.Kind.valid():
		return e("unknown kind %q (one of %s)", f.Kind, kindList())
	case len(f.Columns) == 0:
		return e("no source column (set column or columns)")
	case f.Bits <= 0 || f.Bits%64 != 0 || f.Bits > 1<<16:
		return e("bits must be a positive multiple of 64 up to 65536, not %d", f.Bits)
	case f.K < 1 || f.K > 256:
		return e("k must be between 1 and 256, not %d", f.K)
	case f.CLKK < 0 || f.CLKK > 256:
		return e("clk_k must be between 0 (not in the CLK) and 256, not %d", f.CLKK)
	case f.Tokens.Q < 0 || f.Tokens.Q > 8:
		return e("tokens.q must be between 0 and 8, not %d", f.Tokens.Q)
	}
	for _, c := range f.Columns {
		if c == "" {
			return e("an empty column name")
		}
	}
	if err := f.Hardening.validate(f.Bits); err != nil {
		return e("%v", err)
	}
	if m := f.MaxMissing; m != nil && !(*m >= 0 && *m <= 1) {
		return e("max_missing is a share of the rows, between 0 and 1, not %g", *m)
	}
	if f.OPRF && f.Kind != KindFiscalCode && f.Kind != KindExact {
		return e("oprf applies to fiscal_code and exact fields only")
	}
	if f.OPRF && f.Tokens.Q > 0 {
		return e("an oprf field is encoded from its pseudonym: tokens.q must be 0 (use tokens.exact)")
	}
	if f.Kind == KindDate {
		if len(f.Formats) == 0 {
			return e("formats must list at least one date layout")
		}
		if _, err := f.Precision(); err != nil {
			return e("%v", err)
		}
		if !f.Tokens.Parts && !f.Tokens.Exact && f.Tokens.Q == 0 {
			return e("the tokenisation produces no token (set tokens.parts, tokens.exact or tokens.q)")
		}
		return nil
	}
	switch {
	case len(f.Formats) > 0:
		return e("formats apply to date fields only")
	case f.Normalize.Precision != "":
		return e("normalize.precision applies to date fields only")
	case f.Tokens.Swap:
		return e("tokens.swap applies to date fields only")
	case f.Tokens.Q == 0 && !f.Tokens.Exact && !(f.Tokens.Parts && f.Kind == KindName):
		return e("the tokenisation produces no token (set tokens.q or tokens.exact)")
	case f.Normalize.Length < 0 || f.Normalize.Length > 16:
		return e("normalize.length must be between 0 and 16")
	}
	return nil
}

func (s *Schema) validateSalt(f *Field) error {
	if f.Salt == "" {
		if f.SaltPart != "" {
			return fieldErr("field", f.Name, "salt_part without a salt")
		}
		return nil
	}
	src := s.Field(f.Salt)
	switch {
	case src == nil:
		return fieldErr("field", f.Name, "salt names the unknown field %q", f.Salt)
	case src == f:
		return fieldErr("field", f.Name, "a field cannot salt itself")
	case src.Salt != "":
		return fieldErr("field", f.Name, "the salt field %q is itself salted", f.Salt)
	case f.raw.saltYear && src.Kind != KindDate:
		return fieldErr("field", f.Name, "salt year(%s) needs a date field, and %q is of kind %s", f.Salt, f.Salt, src.Kind)
	case f.SaltPart != "" && f.SaltPart != SaltPartDate:
		return fieldErr("field", f.Name, "salt_part must be year or date, not %q", f.SaltPart)
	case f.SaltPart == SaltPartDate && src.Kind != KindDate:
		return fieldErr("field", f.Name, "salt date(%s) needs a date field, and %q is of kind %s", f.Salt, f.Salt, src.Kind)
	}
	return nil
}

// validateKey checks that a field keyed with another field's key
// (Field.Key) encodes its values as that field does, so that the filters
// of the two are comparable.
func (s *Schema) validateKey(f *Field) error {
	if f.Key == "" || f.Key == f.Name {
		return nil
	}
	src := s.Field(f.Key)
	switch {
	case src == nil:
		return fieldErr("field", f.Name, "key names the unknown field %q", f.Key)
	case src.Key != "" && src.Key != src.Name:
		return fieldErr("field", f.Name, "the key field %q is itself keyed with another field's key", f.Key)
	case src.Kind != f.Kind || src.Bits != f.Bits || src.K != f.K || src.CLKK != f.CLKK ||
		src.Salt != f.Salt || src.SaltPart != f.SaltPart || src.Hardening != f.Hardening || src.Tokens != f.Tokens:
		return fieldErr("field", f.Name, "key %q needs the two fields to have the same kind, tokens, bits, k, clk_k, salt and hardening", f.Key)
	}
	return nil
}

func (s *Schema) validateBlocking() error {
	seen := map[string]bool{}
	for _, b := range s.Blocking {
		e := func(format string, args ...any) error { return fieldErr("blocking key", b.Name, format, args...) }
		switch {
		case !identRE.MatchString(b.Name):
			return fieldErr("blocking key", b.Name, "a blocking-key name is lower-case letters, digits and _, starting with a letter")
		case seen[b.Name]:
			return e("defined twice")
		case len(b.Parts) == 0:
			return e("no parts")
		case b.Bytes < 8 || b.Bytes > 12:
			return e("bytes must be between 8 and 12, not %d", b.Bytes)
		}
		seen[b.Name] = true
		for _, p := range b.Parts {
			if _, err := s.ParsePart(p); err != nil {
				return e("%v", err)
			}
		}
	}
	return nil
}

func (s *Schema) validateAttributes() error {
	seen := map[string]bool{}
	for _, a := range s.Attributes {
		switch {
		case !identRE.MatchString(a.Name):
			return fieldErr("attribute", a.Name, "an attribute name is lower-case letters, digits and _, starting with a letter")
		case seen[a.Name]:
			return fieldErr("attribute", a.Name, "defined twice")
		case a.Column == "":
			return fieldErr("attribute", a.Name, "no source column")
		}
		seen[a.Name] = true
	}
	return nil
}

// Precision is the parsed normalize.precision of a date field.
func (f *Field) Precision() (normalize.Precision, error) {
	switch f.Normalize.Precision {
	case "", "day":
		return normalize.PrecisionDay, nil
	case "month":
		return normalize.PrecisionMonth, nil
	case "year":
		return normalize.PrecisionYear, nil
	}
	return 0, errors.New("normalize.precision must be day, month or year")
}

// WeakNameSalts lists the name fields of s whose filters the audit's
// attacks re-identify at scale (docs/audit.md): a name field without a
// salt, or salted with only the year of a birth date that has a month and
// day. Each entry is "field: reason"; it names schema fields, never data.
func (s *Schema) WeakNameSalts() []string {
	var out []string
	for i := range s.Fields {
		f := &s.Fields[i]
		if f.Kind != KindName {
			continue
		}
		if f.Salt == "" {
			out = append(out, f.Name+": not salted")
			continue
		}
		src := s.Field(f.Salt)
		if src == nil || src.Kind != KindDate || f.SaltPart == SaltPartDate {
			continue
		}
		if p, err := src.Precision(); err == nil && p != normalize.PrecisionYear {
			out = append(out, f.Name+": salted with the year of "+f.Salt+" only, not the whole date")
		}
	}
	return out
}
