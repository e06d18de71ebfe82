package encoding

import "math/bits"

// Summary accumulates what `swd inspect` shows about encoded records:
// popcount distributions per filter, the share of missing fields, and the
// fill rates of blocking keys and attributes. It holds histograms of
// counts only (memory is flat in the number of records) and never any
// value.
type Summary struct {
	Records   int            `json:"records"`
	CLK       FilterSummary  `json:"clk"`
	Fields    []FieldSummary `json:"fields"`
	BlockKeys []FillSummary  `json:"blocking_keys"`
	Attrs     []FillSummary  `json:"attributes"`

	clkHist   []int
	fieldHist [][]int
}

// FilterSummary describes the popcounts of one filter column over the
// records where it is present.
type FilterSummary struct {
	Bits   int     `json:"bits"`
	Min    int     `json:"min"`
	Q1     int     `json:"q1"`
	Median int     `json:"median"`
	Q3     int     `json:"q3"`
	Max    int     `json:"max"`
	Mean   float64 `json:"mean"`
}

// FieldSummary is a FilterSummary plus the share of records without the
// field.
type FieldSummary struct {
	Name       string        `json:"name"`
	Missing    int           `json:"missing"`
	EmptyShare float64       `json:"empty_share"`
	Popcount   FilterSummary `json:"popcount"`
}

// FillSummary counts the records where a string column is set.
type FillSummary struct {
	Name     string  `json:"name"`
	Filled   int     `json:"filled"`
	FillRate float64 `json:"fill_rate"`
	Distinct int     `json:"distinct,omitempty"` // attributes only, up to a cap
	distinct map[string]struct{}
}

// maxDistinct bounds the distinct-value count kept per attribute.
const maxDistinct = 10000

// NewSummary starts a summary of records of layout l.
func NewSummary(l Layout) *Summary {
	s := &Summary{CLK: FilterSummary{Bits: l.CLKBits}, clkHist: make([]int, l.CLKBits+1)}
	for _, f := range l.Fields {
		s.Fields = append(s.Fields, FieldSummary{Name: f.Name, Popcount: FilterSummary{Bits: f.Bits}})
		s.fieldHist = append(s.fieldHist, make([]int, f.Bits+1))
	}
	for _, n := range l.BlockKeys {
		s.BlockKeys = append(s.BlockKeys, FillSummary{Name: n})
	}
	for _, n := range l.Attrs {
		s.Attrs = append(s.Attrs, FillSummary{Name: n, distinct: map[string]struct{}{}})
	}
	return s
}

// Add counts one record.
func (s *Summary) Add(r *Record) {
	s.Records++
	s.clkHist[popcount(r.CLK)]++
	for i, f := range r.Fields {
		if f == nil {
			s.Fields[i].Missing++
			continue
		}
		s.fieldHist[i][popcount(f)]++
	}
	for i, k := range r.BlockKeys {
		if k != "" {
			s.BlockKeys[i].Filled++
		}
	}
	for i, a := range r.Attrs {
		if a == "" {
			continue
		}
		s.Attrs[i].Filled++
		if d := s.Attrs[i].distinct; len(d) < maxDistinct {
			d[a] = struct{}{}
		}
	}
}

// Finish computes the distributions and rates.
func (s *Summary) Finish() {
	s.CLK = distribution(s.clkHist, s.CLK.Bits)
	for i := range s.Fields {
		f := &s.Fields[i]
		f.Popcount = distribution(s.fieldHist[i], f.Popcount.Bits)
		f.EmptyShare = share(f.Missing, s.Records)
	}
	for i := range s.BlockKeys {
		s.BlockKeys[i].FillRate = share(s.BlockKeys[i].Filled, s.Records)
	}
	for i := range s.Attrs {
		a := &s.Attrs[i]
		a.FillRate = share(a.Filled, s.Records)
		a.Distinct = len(a.distinct)
	}
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// distribution reads quartiles off a histogram of popcounts.
func distribution(h []int, bitsN int) FilterSummary {
	fs := FilterSummary{Bits: bitsN}
	n, sum := 0, 0
	for v, c := range h {
		n += c
		sum += v * c
	}
	if n == 0 {
		return fs
	}
	fs.Mean = float64(sum) / float64(n)
	q := func(p float64) int {
		target := int(p*float64(n-1)) + 1
		acc := 0
		for v, c := range h {
			acc += c
			if acc >= target {
				return v
			}
		}
		return len(h) - 1
	}
	fs.Min, fs.Q1, fs.Median, fs.Q3, fs.Max = q(0), q(0.25), q(0.5), q(0.75), q(1)
	return fs
}

func popcount(v []uint64) int {
	n := 0
	for _, w := range v {
		n += bits.OnesCount64(w)
	}
	return n
}
