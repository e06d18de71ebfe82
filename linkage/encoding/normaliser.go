package encoding

import (
	"fmt"
	"slices"
	"strings"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/normalize"
	"github.com/welfare-district/swd/linkage/schema"
)

// Normaliser reads the cells of a partner export as the encoder does, up to
// the normalised value of each field and before any keyed step: source
// columns joined with a space, each cell trimmed when the schema says
// trim_space, empty cells and missing-value markers dropped, then the
// field kind's normalisation. It holds no secret. The privacy audit scores
// its attack with it, so it measures exactly the values that were encoded;
// every Encoder embeds one.
type Normaliser struct {
	schema        *schema.Schema
	plans         []fieldPlan
	order         []int // field indices, unsalted fields first (salts are never salted)
	missing       []string
	missingMaxLen int
}

// NewNormaliser returns the normaliser of a validated schema.
func NewNormaliser(s *schema.Schema) (*Normaliser, error) {
	n := &Normaliser{schema: s}
	return n, n.compile()
}

// compile reads the missing-value markers and compiles the fields.
func (n *Normaliser) compile() error {
	for _, m := range n.schema.Input.MissingValues {
		if m = strings.TrimSpace(m); m != "" {
			n.missing = append(n.missing, m)
			n.missingMaxLen = max(n.missingMaxLen, len(m))
		}
	}
	for i, f := range n.schema.Fields {
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
			outBits: f.Hardening.OutputBits(f.Bits)}
		for j, g := range n.schema.Fields {
			if f.Salt != "" && g.Name == f.Salt {
				p.salt = j
			}
		}
		n.plans = append(n.plans, p)
	}
	for pass := range 2 {
		for i := range n.plans {
			if (n.plans[i].salt >= 0) == (pass == 1) {
				n.order = append(n.order, i)
			}
		}
	}
	return nil
}

// Schema is the schema the normaliser reads.
func (n *Normaliser) Schema() *schema.Schema { return n.schema }

// isMissing reports whether a trimmed cell is a missing-value marker.
func (n *Normaliser) isMissing(s string) bool {
	for _, m := range n.missing {
		if strings.EqualFold(s, m) {
			return true
		}
	}
	return false
}

// cell returns the trimmed content of column i, or "" when the column is
// absent, the row too short, or the content a missing-value marker.
func (n *Normaliser) cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	s := row[i]
	if n.schema.Input.TrimSpace {
		s = strings.TrimSpace(s)
	}
	if s == "" || (len(s) <= n.missingMaxLen && n.isMissing(s)) {
		return ""
	}
	return s
}

// raw joins the non-missing cells of cols with spaces.
func (n *Normaliser) raw(cols []int, row []string) string {
	if len(cols) == 1 {
		return n.cell(row, cols[0])
	}
	var parts []string
	for _, c := range cols {
		if s := n.cell(row, c); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// normalised is field i's value of the joined cells raw.
func (n *Normaliser) normalised(i int, raw string) (string, bool) {
	if raw == "" {
		return "", false
	}
	v := n.plans[i].normalise(raw)
	return v.norm, v.st == stPresent
}

// Value returns the normalised value of field i (an index into the
// schema's fields) in row, a data row of the header b was bound to, and
// whether it is present: false when the value is missing or invalid, as
// the encoder would leave the field's filter empty. It is the value the
// encoder tokenises (for an oprf field, the one it sends to the keyserver).
func (n *Normaliser) Value(b *Binding, row []string, i int) (string, bool) {
	return n.normalised(i, n.raw(b.fields[i], row))
}

// Normalise returns field i's normalised value read from cells, the
// contents of the field's source columns in the schema's order (or one
// cell holding the whole value), exactly as Value reads a row.
func (n *Normaliser) Normalise(i int, cells ...string) (string, bool) {
	cols := make([]int, len(cells))
	for j := range cols {
		cols[j] = j
	}
	return n.normalised(i, n.raw(cols, cells))
}

// RecordID returns the record id of row, a data row of the header b was
// bound to, as the encoder reads it ("" when missing: the row is rejected).
func (n *Normaliser) RecordID(b *Binding, row []string) string {
	return n.cell(row, b.idCol)
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
// one is an error that names it. Columns of optional fields and attributes
// may be absent (Binding.Absent); Encoder.Bind fails closed on a field
// whose columns are all absent.
func (n *Normaliser) Bind(header []string) (*Binding, error) {
	if len(header) == 0 {
		return nil, &base.InputError{Reason: "the input has no header row (is it empty?)"}
	}
	m := newHeaderMatcher(header, n.schema.Input.TrimSpace, n.schema.Input.Aliases)
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
	var err error
	if b.idCol, err = look(n.schema.IDColumn, true); err != nil {
		return nil, err
	}
	for _, p := range n.plans {
		cols := make([]int, len(p.Columns))
		for j, c := range p.Columns {
			if cols[j], err = look(c, p.Required); err != nil {
				return nil, err
			}
		}
		b.fields = append(b.fields, cols)
	}
	for _, a := range n.schema.Attributes {
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
	return b, nil
}
