package neighbour

import (
	"testing"
)

// Check compares the tables of a full release with those of a neighbour
// (label names the neighbour in messages) and fails tb for every table
// whose L1 distance exceeds its declared bound. It returns the distances.
func Check(tb testing.TB, label string, full, neighbour Tables) []Distance {
	tb.Helper()
	ds, err := Compare(full, neighbour)
	if err != nil {
		tb.Errorf("%s: %v", label, err)
		return nil
	}
	for _, d := range ds {
		if d.Exceeds() {
			tb.Errorf("%s: %s: L1 distance %d exceeds the declared bound %d", label, d.Table, d.L1, d.Bound)
		}
	}
	return ds
}
