package audit

import (
	"unsafe"

	"github.com/welfare-district/swd/internal/bitvec"
)

// Exposure bounds what frequency alignment alone can learn from one column
// of an encoded file (a filter column, the CLK or a blocking key), for the
// strongest attacker: one who knows the exact distribution of the column's
// plaintext values. Equal encodings are equal values, so each group of
// equal encodings is aligned with a plaintext value of the same frequency;
// a group of size c is identified with probability 1/n_c when n_c groups
// share that size (ties cannot be told apart). Singletons are not counted:
// a frequency of 1 singles out nothing.
type Exposure struct {
	Column   string  `json:"column"`
	Present  int     `json:"present"`  // records with a value
	Distinct int     `json:"distinct"` // distinct encodings
	Largest  int     `json:"largest"`  // records in the largest group
	Exposed  float64 `json:"exposed"`  // expected records whose value is identified
	Rate     float64 `json:"rate"`     // Exposed over all records
}

// ColumnExposure computes the Exposure of a column of records encodings
// ("" = missing).
func ColumnExposure(column string, values []string) Exposure {
	e := Exposure{Column: column}
	count := map[string]int{}
	for _, v := range values {
		if v != "" {
			count[v]++
			e.Present++
		}
	}
	sizes := map[int]int{}
	for _, c := range count {
		sizes[c]++
		e.Largest = max(e.Largest, c)
	}
	for _, c := range count {
		if c >= 2 {
			e.Exposed += float64(c) / float64(sizes[c])
		}
	}
	e.Distinct = len(count)
	if len(values) > 0 {
		e.Rate = e.Exposed / float64(len(values))
	}
	return e
}

// FilterExposure is ColumnExposure of a filter column; present nil means
// every record has a filter.
func FilterExposure(column string, filters bitvec.Arena, present []bool) Exposure {
	values := make([]string, filters.Len())
	for i := range values {
		if present != nil && !present[i] {
			continue
		}
		f := filters.At(i)
		if len(f) == 0 {
			continue
		}
		// The bytes of the filter as a map key (copied by the map).
		values[i] = string(unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), len(f)*8))
	}
	return ColumnExposure(column, values)
}
