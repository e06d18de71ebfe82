package eval

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/welfare-district/swd/linkage/cluster"
)

func truthOf(t *testing.T, csv string) *Truth {
	t.Helper()
	tr, err := ReadCSV(strings.NewReader("partner,record_id,person_id,household_id\n"+csv), "truth.csv")
	require.NoError(t, err)
	return tr
}

func TestStabilityKnownAnswer(t *testing.T) {
	// Before: persons 1 {a/1,b/1}, 2 {a/2}, 3 {a/3,b/3}, 4 {a/4}; households
	// h1 {1,2}, h2 {3}, h3 {4}.
	truthBefore := truthOf(t, "a,1,1,1\nb,1,1,1\na,2,2,1\na,3,3,2\nb,3,3,2\na,4,4,3\n")
	before := links("a/1:1:1", "b/1:1:1", "a/2:2:1", "a/3:3:2", "b/3:3:2", "a/4:4:3")
	// Now: person 1 keeps its records and ids; person 2 keeps its records
	// but its id changes (its household too); person 3 gains a record c/3
	// (not unchanged); person 4 keeps its records but a/4 changed (moved).
	truthNow := truthOf(t, "a,1,1,1\nb,1,1,1\na,2,2,1\na,3,3,2\nb,3,3,2\nc,3,3,2\na,4,4,3\n")
	now := links("a/1:1:1", "b/1:1:1", "a/2:5:5", "a/3:3:2", "b/3:3:2", "c/3:3:2", "a/4:4:3")
	changed := func(k cluster.RecordKey) bool { return k == cluster.RecordKey{Partner: "a", RecordID: "4"} }
	got := Stability(before, now, truthBefore, truthNow, changed)
	// Persons unchanged: 1 (kept), 2 (not kept). Households unchanged: h1
	// (a/2 moved to household 5: not kept).
	require.Equal(t, IDStability{
		Person:    StableLevel{Unchanged: 2, Kept: 1, Share: 0.5},
		Household: StableLevel{Unchanged: 1, Kept: 0, Share: 0},
	}, got)

	// Without the change of a/4, person 4 and household h3 are unchanged
	// and kept.
	got = Stability(before, now, truthBefore, truthNow, nil)
	require.Equal(t, StableLevel{Unchanged: 3, Kept: 2, Share: 2.0 / 3}, got.Person)
	require.Equal(t, StableLevel{Unchanged: 2, Kept: 1, Share: 0.5}, got.Household)

	// A record of an unchanged person missing from the links now: not kept.
	got = Stability(before, now[1:], truthBefore, truthNow, nil)
	require.Equal(t, StableLevel{Unchanged: 3, Kept: 1, Share: 1.0 / 3}, got.Person)

	// Nothing unchanged: share 1.
	got = Stability(nil, now, truthOf(t, "z,9,9,9\n"), truthNow, nil)
	require.Equal(t, StableLevel{Share: 1}, got.Person)
}
