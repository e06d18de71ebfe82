package cluster

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestVetoStopsChains: b0 links to a0 and to c0, but a0 and c0 are a
// certain non-match, so the weaker link is refused and b0 stays with a0.
func TestVetoStopsChains(t *testing.T) {
	partners := []Partner{
		{Name: "a", RecordIDs: []string{"a0"}},
		{Name: "b", RecordIDs: []string{"b0"}},
		{Name: "c", RecordIDs: []string{"c0"}},
	}
	edges := []Edge{edge(0, 0, 1, 0, 20), edge(1, 0, 2, 0, 10)}
	veto := func(x, y Ref) bool {
		return (x.Partner == 0 && y.Partner == 2) || (x.Partner == 2 && y.Partner == 0)
	}
	cfg := DefaultConfig()
	cfg.Correlation = CorrelationOff
	links, st, err := Build(context.Background(), partners, edges, cfg)
	require.NoError(t, err)
	require.Equal(t, [][]string{{"a/a0", "b/b0", "c/c0"}}, groups(links, false), "without a veto the chain merges")

	cfg.Veto = veto
	links, st, err = Build(context.Background(), partners, edges, cfg)
	require.NoError(t, err)
	require.Equal(t, [][]string{{"a/a0", "b/b0"}, {"c/c0"}}, groups(links, false))
	require.Equal(t, 1, st.Vetoed)
}
