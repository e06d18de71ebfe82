package cluster

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHouseholdMinWeight: a person who alone joins two partner households
// through a weak link is split there; a strong link, or a second person
// joining the same households, keeps the join.
func TestHouseholdMinWeight(t *testing.T) {
	partners := func() []Partner {
		return []Partner{
			{Name: "a", RecordIDs: []string{"a0", "a1"}, Households: []string{"A", "A"}},
			{Name: "b", RecordIDs: []string{"b0", "b1"}, Households: []string{"B", "B"}},
		}
	}
	build := func(edges []Edge, minWeight float64) ([][]string, [][]string, Stats) {
		cfg := DefaultConfig()
		cfg.HouseholdMinWeight = minWeight
		links, st, err := Build(context.Background(), partners(), edges, cfg)
		require.NoError(t, err)
		return groups(links, false), groups(links, true), st
	}
	weak := []Edge{edge(0, 0, 1, 0, 2)} // a0–b0, log-odds 2
	persons, households, _ := build(weak, 0)
	require.Equal(t, [][]string{{"a/a0", "b/b0"}, {"a/a1"}, {"b/b1"}}, persons)
	require.Equal(t, [][]string{{"a/a0", "a/a1", "b/b0", "b/b1"}}, households, "without the rule one weak link joins both households")

	persons, households, st := build(weak, 7)
	require.Equal(t, [][]string{{"a/a0"}, {"a/a1"}, {"b/b0"}, {"b/b1"}}, persons)
	require.Equal(t, [][]string{{"a/a0", "a/a1"}, {"b/b0", "b/b1"}}, households)
	require.Equal(t, 1, st.WeakSplit)

	_, households, st = build([]Edge{edge(0, 0, 1, 0, 9)}, 7)
	require.Equal(t, [][]string{{"a/a0", "a/a1", "b/b0", "b/b1"}}, households, "a strong link joins")
	require.Zero(t, st.WeakSplit)

	_, households, _ = build([]Edge{edge(0, 0, 1, 0, 2), edge(0, 1, 1, 1, 3)}, 7)
	require.Equal(t, [][]string{{"a/a0", "a/a1", "b/b0", "b/b1"}}, households, "two persons join the same households")
}
