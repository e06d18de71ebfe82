package encoding

import (
	"fmt"
	"strings"

	"github.com/welfare-district/swd/internal/base"
)

// MissingError stops an encoding in which an identifying field is missing
// in more rows than the schema allows (Field.MaxMissing, 50% by default):
// most often a column the header names differently from the schema, which
// would otherwise encode as "missing everywhere" and link nothing. It is
// marked base.ErrInvalidInput and names the field, its columns and the
// share, never a value.
type MissingError struct {
	Field   string
	Columns []string
	Missing int     // rows where the field is missing or invalid
	Of      int     // rows encoded
	Limit   float64 // the schema's max_missing
	// Absent is true when no column of the field is in the header.
	Absent bool
}

func (e *MissingError) Error() string {
	cols := strings.Join(e.Columns, ", ")
	if e.Absent {
		return fmt.Sprintf("field %s: its column %s is not in the header, so it would be missing in 100%% of the rows; "+
			"check the header, or add the header's name to the schema's input.aliases, or, if this partner does not collect %s, pass --allow-missing %s",
			e.Field, cols, e.Field, e.Field)
	}
	return fmt.Sprintf("field %s (column %s) is missing or invalid in %d of %d rows (%.1f%%), more than the %.0f%% the schema allows (max_missing); "+
		"check the column, or, if this partner does not collect %s, pass --allow-missing %s",
		e.Field, cols, e.Missing, e.Of, 100*float64(e.Missing)/float64(max(e.Of, 1)), 100*e.Limit, e.Field, e.Field)
}

// Is marks a MissingError as invalid input.
func (e *MissingError) Is(target error) bool { return target == base.ErrInvalidInput }

// WithAllowMissing declares fields the partner does not collect: they may
// be missing in any share of the rows, their columns absent from the
// header. Naming a field the schema does not have is an error.
func WithAllowMissing(fields ...string) Option {
	return func(e *Encoder) error {
		for _, f := range fields {
			if e.schema.Field(f) == nil {
				return base.Usagef("encoding: --allow-missing %s: the schema has no field %q (fields: %s)", f, f, strings.Join(fieldNames(e), ", "))
			}
			if e.allowMissing == nil {
				e.allowMissing = map[string]bool{}
			}
			e.allowMissing[f] = true
		}
		return nil
	}
}

func fieldNames(e *Encoder) []string {
	var names []string
	for _, f := range e.schema.Fields {
		names = append(names, f.Name)
	}
	return names
}

// checkMissing returns a MissingError for the first field missing in more
// rows than its limit allows.
func (e *Encoder) checkMissing(st Stats) error {
	if st.Encoded == 0 {
		return nil
	}
	for i, f := range st.Fields {
		p := &e.plans[i]
		if f.NotCollected || f.MissingShare(st.Encoded) <= p.MissingLimit() {
			continue
		}
		return &MissingError{Field: p.Name, Columns: p.Columns, Missing: f.Missing, Of: st.Encoded, Limit: p.MissingLimit()}
	}
	return nil
}
