package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Canonical is the complete schema as YAML with every default filled in,
// in a fixed order: what the encoded file's swd.schema metadata holds. It
// contains no secret.
func (s *Schema) Canonical() []byte {
	b, err := yaml.Marshal(s)
	if err != nil {
		panic("schema: marshalling a validated schema: " + err.Error())
	}
	return b
}

// Fingerprint is the hex SHA-256 of the canonical serialisation of what
// determines the encodings: field names, kinds, normalisation, tokenisation,
// filter sizes, hash counts, salts, hardening, the CLK, blocking keys and
// attribute names, with fields, keys and attributes sorted by name. It leaves
// out how a partner's export is read (partner name, id column, source
// columns and their aliases, date input formats, required flags, trimming,
// missing-value markers, missing-share limits), so partners with differently shaped exports can share a
// linkage, while any change that alters the encodings changes it.
func (s *Schema) Fingerprint() string {
	e := Schema{Version: s.Version, CLK: s.CLK}
	for _, f := range s.Fields {
		f.Columns, f.Column, f.Formats, f.Required, f.MaxMissing = nil, "", nil, false, nil
		f.raw = rawPresent{}
		e.Fields = append(e.Fields, f)
	}
	for _, b := range s.Blocking {
		b.Parts = append([]string(nil), b.Parts...)
		for i, p := range b.Parts {
			if part, err := s.ParsePart(p); err == nil {
				b.Parts[i] = part.String()
			}
		}
		e.Blocking = append(e.Blocking, b)
	}
	for _, a := range s.Attributes {
		e.Attributes = append(e.Attributes, Attribute{Name: a.Name})
	}
	slices.SortFunc(e.Fields, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(e.Blocking, func(a, b BlockKey) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(e.Attributes, func(a, b Attribute) int { return strings.Compare(a.Name, b.Name) })
	sum := sha256.Sum256(e.Canonical())
	return hex.EncodeToString(sum[:])
}

// String is the canonical spelling of a part.
func (p Part) String() string {
	if p.Func == FuncFirst {
		return string(p.Func) + "(" + p.Field + "," + itoa(p.N) + ")"
	}
	return string(p.Func) + "(" + p.Field + ")"
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
