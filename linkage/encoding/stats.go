package encoding

// Stats summarises an encoding run. It holds counts only, never values.
type Stats struct {
	Read     int `json:"read"` // data rows read (header excluded)
	Encoded  int `json:"encoded"`
	Rejected int `json:"rejected"` // rows rejected, duplicates included
	// Duplicates counts the rows rejected because an earlier row has the
	// same record id.
	Duplicates int          `json:"duplicates"`
	Fields     []FieldStats `json:"fields"`
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
	// NotCollected is true when the partner said it does not collect the
	// field (WithAllowMissing): its missing share is not checked.
	NotCollected bool `json:"not_collected,omitempty"`
	// Limit is the largest missing share allowed (schema max_missing).
	Limit float64 `json:"max_missing"`
}

// MissingShare is the share of encoded rows in which the field is missing
// or invalid (0 when nothing was encoded).
func (f *FieldStats) MissingShare(encoded int) float64 {
	if encoded == 0 {
		return 0
	}
	return float64(f.Missing) / float64(encoded)
}

// MaxInvalidRows bounds FieldStats.InvalidRows.
const MaxInvalidRows = 5

func newStats(e *Encoder) Stats {
	s := Stats{Fields: make([]FieldStats, len(e.plans))}
	for i, p := range e.plans {
		s.Fields[i].Name = p.Name
		s.Fields[i].Reason = p.invalidReason()
		s.Fields[i].Limit = p.MissingLimit()
		s.Fields[i].NotCollected = e.allowMissing[p.Name]
	}
	return s
}

// tally is what one encoded row adds to the statistics, kept with the
// row until it is emitted: a row may still be rejected then (a duplicate
// record id), and its values must not count.
type tally struct {
	states                    []status // per field
	cfInvalid, cfInconsistent int
}

// count adds an emitted row's tally.
func (s *Stats) count(t *tally, rowNum int) {
	for i, st := range t.states {
		switch st {
		case stMissing:
			s.Fields[i].Missing++
		case stInvalid:
			f := &s.Fields[i]
			f.Invalid++
			f.Missing++
			if len(f.InvalidRows) < MaxInvalidRows {
				f.InvalidRows = append(f.InvalidRows, rowNum)
			}
		}
	}
	s.CFInvalid += t.cfInvalid
	s.CFInconsistent += t.cfInconsistent
}
