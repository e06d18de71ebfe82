package encoding

import "slices"

// Stats summarises an encoding run. It holds counts only, never values.
type Stats struct {
	Read     int          `json:"read"` // data rows read (header excluded)
	Encoded  int          `json:"encoded"`
	Rejected int          `json:"rejected"`
	Fields   []FieldStats `json:"fields"`
	// CFInvalid counts fiscal codes that failed validation (encoded as
	// missing); CFInconsistent counts valid codes that disagree with the
	// record's sex or birth date (encoded anyway).
	CFInvalid      int `json:"fiscal_codes_invalid"`
	CFInconsistent int `json:"fiscal_codes_inconsistent"`
}

// FieldStats counts the values of one field over the encoded rows.
type FieldStats struct {
	Name    string `json:"name"`
	Missing int    `json:"missing"` // missing or invalid: the field filter is null
	Invalid int    `json:"invalid"` // present but unusable (unparseable date, invalid fiscal code, …)
	// InvalidRows are the first data rows (at most MaxInvalidRows, in
	// order) where the value was invalid, so the data officer can find
	// them; rows only, never values.
	InvalidRows []int `json:"invalid_rows"`
	// Reason says why such values are invalid, without any value.
	Reason string `json:"reason"`
}

// MaxInvalidRows bounds FieldStats.InvalidRows.
const MaxInvalidRows = 5

func newStats(e *Encoder) Stats {
	s := Stats{Fields: make([]FieldStats, len(e.plans))}
	for i, p := range e.plans {
		s.Fields[i].Name = p.Name
		s.Fields[i].Reason = p.invalidReason()
	}
	return s
}

func (s *Stats) add(o *Stats) {
	s.Read += o.Read
	s.Encoded += o.Encoded
	s.Rejected += o.Rejected
	s.CFInvalid += o.CFInvalid
	s.CFInconsistent += o.CFInconsistent
	for i := range s.Fields {
		f := &s.Fields[i]
		f.Missing += o.Fields[i].Missing
		f.Invalid += o.Fields[i].Invalid
		f.InvalidRows = append(f.InvalidRows, o.Fields[i].InvalidRows...)
		slices.Sort(f.InvalidRows)
		if len(f.InvalidRows) > MaxInvalidRows {
			f.InvalidRows = f.InvalidRows[:MaxInvalidRows]
		}
	}
}
