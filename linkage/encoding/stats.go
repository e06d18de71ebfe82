package encoding

// Stats summarises an encoding run. It holds counts only, never values.
type Stats struct {
	Read     int // data rows read (header excluded)
	Encoded  int
	Rejected int
	Fields   []FieldStats
	// CFInvalid counts fiscal codes that failed validation (encoded as
	// missing); CFInconsistent counts valid codes that disagree with the
	// record's sex or birth date (encoded anyway).
	CFInvalid      int
	CFInconsistent int
}

// FieldStats counts the values of one field over the encoded rows.
type FieldStats struct {
	Name    string
	Missing int // missing or invalid: the field filter is null
	Invalid int // present but unusable (unparseable date, invalid fiscal code, …)
}

func newStats(e *Encoder) Stats {
	s := Stats{Fields: make([]FieldStats, len(e.plans))}
	for i, p := range e.plans {
		s.Fields[i].Name = p.Name
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
		s.Fields[i].Missing += o.Fields[i].Missing
		s.Fields[i].Invalid += o.Fields[i].Invalid
	}
}
