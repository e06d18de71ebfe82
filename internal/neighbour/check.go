package neighbour

import (
	"testing"
)

// Check compares the tables of a full release with those of a neighbour
// (label names the neighbour in messages) and fails tb for every table
// whose L1 distance exceeds its declared bound. It returns the distances.
func Check(tb testing.TB, label string, full, neighbour Tables) []Distance {
	tb.Helper()
	return CheckGroup(tb, label, full, neighbour, 1)
}

// CheckGroup is Check for neighbours that differ by k linked households
// (a true household the linkage split in k parts): every table may move
// by k times its declared bound, the sensitivity behind the k·ε of group
// privacy.
func CheckGroup(tb testing.TB, label string, full, neighbour Tables, k int) []Distance {
	tb.Helper()
	ds, err := Compare(full, neighbour)
	if err != nil {
		tb.Errorf("%s: %v", label, err)
		return nil
	}
	for _, d := range ds {
		if d.L1 > int64(k)*d.Bound {
			tb.Errorf("%s: %s: L1 distance %d exceeds %d × the declared bound %d", label, d.Table, d.L1, k, d.Bound)
		}
	}
	return ds
}
