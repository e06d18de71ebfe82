package encoding

import (
	"time"

	"github.com/welfare-district/swd/internal/bitvec"
)

// FormatVersion is the version of the encoded-file format written by this
// code. Readers refuse files of a newer major version.
const FormatVersion = 1

// Meta is the file-level metadata of an encoded file. None of it is personal
// data: the key check value is a MAC of a fixed string, never the secret.
type Meta struct {
	FormatVersion     int       `json:"format_version"`
	SchemaFingerprint string    `json:"schema_fingerprint"` // hex SHA-256 of the canonical schema
	KeyCheck          string    `json:"key_check"`          // hex key check value of the linkage secret
	Partner           string    `json:"partner"`
	Rows              int       `json:"rows"`     // encoded rows
	Rejected          int       `json:"rejected"` // rows sent to the rejects file
	Created           time.Time `json:"created"`
	CodeVersion       string    `json:"code_version"`
	Pseudonymised     bool      `json:"pseudonymised_ids"` // record ids replaced by keyed pseudonyms
	// PseudonymisedAttrs are the attributes whose values are keyed
	// pseudonyms (the partner's household id under --pseudonymise-ids).
	PseudonymisedAttrs []string `json:"pseudonymised_attrs,omitempty"`
	Schema             []byte   `json:"-"` // canonical schema (YAML), carries no secret
}

// Layout names the columns of an encoded table, in order.
type Layout struct {
	CLKBits   int
	Fields    []FieldSpec // per-field Bloom filters
	BlockKeys []string    // keyed blocking-key columns
	Attrs     []string    // attribute columns carried in the clear
}

// FieldSpec is the name and size of one per-field filter column.
type FieldSpec struct {
	Name string
	Bits int
}

// Record is one encoded row, the unit a streaming writer takes. Slices are
// owned by the caller and copied by writers.
type Record struct {
	RecordID  string
	CLK       []uint64
	Fields    [][]uint64 // Fields[i] == nil: value missing
	BlockKeys []string   // "" = no key (missing inputs)
	Attrs     []string   // "" = missing
}

// FieldColumn is one per-field filter column of a Dataset.
type FieldColumn struct {
	FieldSpec
	Filters bitvec.Arena // all-zero where !Present
	Present []bool
}

// StringColumn is a named column of strings; "" means missing.
type StringColumn struct {
	Name   string
	Values []string
}

// Dataset is an encoded file held in memory in columnar form, as the linker
// uses it: filters in contiguous arenas, row i in index i of every column.
type Dataset struct {
	Meta      Meta
	RecordIDs []string
	CLK       bitvec.Arena
	Fields    []FieldColumn
	BlockKeys []StringColumn
	Attrs     []StringColumn
}

// Len is the number of records.
func (d *Dataset) Len() int { return len(d.RecordIDs) }

// Layout describes the dataset's columns.
func (d *Dataset) Layout() Layout {
	l := Layout{CLKBits: 64 * d.CLK.Words}
	for _, f := range d.Fields {
		l.Fields = append(l.Fields, f.FieldSpec)
	}
	for _, c := range d.BlockKeys {
		l.BlockKeys = append(l.BlockKeys, c.Name)
	}
	for _, c := range d.Attrs {
		l.Attrs = append(l.Attrs, c.Name)
	}
	return l
}

// Field returns the field column called name, or nil.
func (d *Dataset) Field(name string) *FieldColumn {
	for i := range d.Fields {
		if d.Fields[i].Name == name {
			return &d.Fields[i]
		}
	}
	return nil
}

// Attr returns the attribute column called name, or nil.
func (d *Dataset) Attr(name string) *StringColumn {
	for i := range d.Attrs {
		if d.Attrs[i].Name == name {
			return &d.Attrs[i]
		}
	}
	return nil
}

// MemoryBytes estimates the memory the dataset holds: filter arenas,
// presence flags and strings (with their headers).
func (d *Dataset) MemoryBytes() int64 {
	n := int64(8 * len(d.CLK.Data))
	strs := func(vs []string) {
		n += 16 * int64(len(vs))
		for _, v := range vs {
			n += int64(len(v))
		}
	}
	strs(d.RecordIDs)
	for _, f := range d.Fields {
		n += 8*int64(len(f.Filters.Data)) + int64(len(f.Present))
	}
	for _, c := range d.BlockKeys {
		strs(c.Values)
	}
	for _, c := range d.Attrs {
		strs(c.Values)
	}
	return n
}
