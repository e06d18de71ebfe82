package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// nodesOf makes one node per partner index given, keyed "p<partner>/<i>".
func nodesOf(partners ...int) []Node {
	out := make([]Node, len(partners))
	for i, p := range partners {
		out[i] = Node{Partner: p, Key: RecordKey{Partner: "p" + strconv.Itoa(p), RecordID: strconv.Itoa(i)}}
	}
	return out
}

// partition groups node indices by label, each group ascending, groups by
// first member.
func partition(labels []int) [][]int {
	m := map[int][]int{}
	for i, l := range labels {
		m[l] = append(m[l], i)
	}
	var out [][]int
	for _, g := range m {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b []int) int { return a[0] - b[0] })
	return out
}

// objective is the total weight of the pairs placed together.
func objective(labels []int, w map[[2]int]float64) float64 {
	total := 0.0
	for k, x := range w {
		if labels[k[0]] == labels[k[1]] {
			total += x
		}
	}
	return total
}

func pairsOf(w map[[2]int]float64) []Pair {
	var out []Pair
	for k, x := range w {
		out = append(out, Pair{X: k[0], Y: k[1], Weight: x})
	}
	slices.SortFunc(out, func(a, b Pair) int { return a.X*1000 + a.Y - b.X*1000 - b.Y })
	return out
}

func TestSolveComponent(t *testing.T) {
	noVeto := SolveConfig{VetoWeight: math.Inf(-1)}
	tests := []struct {
		name     string
		partners []int
		w        map[[2]int]float64
		cfg      SolveConfig
		want     [][]int
	}{
		{
			name:     "a weak link does not chain a record that contradicts the other",
			partners: []int{0, 1, 2},
			// b–c would join c to a's person; a–c says they differ.
			w:    map[[2]int]float64{{0, 1}: 10, {1, 2}: 3, {0, 2}: -8},
			cfg:  noVeto,
			want: [][]int{{0, 1}, {2}},
		},
		{
			name:     "collective evidence outweighs one mild disagreement",
			partners: []int{0, 1, 2},
			w:        map[[2]int]float64{{0, 1}: 5, {0, 2}: 5, {1, 2}: -2},
			cfg:      noVeto,
			want:     [][]int{{0, 1, 2}},
		},
		{
			name:     "at most one record per partner",
			partners: []int{0, 0, 1},
			w:        map[[2]int]float64{{0, 2}: 10, {1, 2}: 9},
			cfg:      noVeto,
			want:     [][]int{{0, 2}, {1}},
		},
		{
			name:     "a partner's duplicates may share a person",
			partners: []int{0, 0, 1},
			w:        map[[2]int]float64{{0, 2}: 10, {1, 2}: 9, {0, 1}: 6},
			cfg:      noVeto,
			want:     [][]int{{0, 1, 2}},
		},
		{
			name:     "a duplicate link below the duplicate weight does not",
			partners: []int{0, 0, 1},
			w:        map[[2]int]float64{{0, 2}: 10, {1, 2}: 9, {0, 1}: 6},
			cfg:      SolveConfig{VetoWeight: math.Inf(-1), DuplicateWeight: 7},
			want:     [][]int{{0, 2}, {1}},
		},
		{
			name:     "a vetoed pair never shares a person",
			partners: []int{0, 1, 2},
			w:        map[[2]int]float64{{0, 1}: 10, {0, 2}: 20, {1, 2}: -11},
			cfg:      SolveConfig{VetoWeight: -10},
			want:     [][]int{{0, 2}, {1}},
		},
		{
			name:     "moves repair a greedy merge",
			partners: []int{0, 1, 2, 3},
			// z–w (11) is merged first; z belongs with x and y (6 + 6).
			w:    map[[2]int]float64{{0, 1}: 10, {0, 2}: 6, {1, 2}: 6, {2, 3}: 11, {0, 3}: -20, {1, 3}: -20},
			cfg:  noVeto,
			want: [][]int{{0, 1, 2}, {3}},
		},
		{
			name:     "two persons in one component",
			partners: []int{0, 1, 2, 0, 1, 2},
			w: map[[2]int]float64{
				{0, 1}: 12, {1, 2}: 8, {0, 2}: 9,
				{3, 4}: 11, {4, 5}: 7, {3, 5}: 10,
				{2, 3}: 1, {1, 5}: 2, // weak links between them
				{0, 4}: -6, {2, 4}: -9,
			},
			cfg:  noVeto,
			want: [][]int{{0, 1, 2}, {3, 4, 5}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels := SolveComponent(nodesOf(tt.partners...), pairsOf(tt.w), tt.cfg)
			require.Equal(t, tt.want, partition(labels))
		})
	}
}

// TestSolveComponentWeightFunc: pairs that were not given are scored on
// demand; without a weight function they count as no evidence.
func TestSolveComponentWeightFunc(t *testing.T) {
	nodes := nodesOf(0, 1, 2)
	given := []Pair{{0, 1, 10}, {1, 2, 3}}
	cfg := SolveConfig{VetoWeight: math.Inf(-1)}
	require.Equal(t, [][]int{{0, 1, 2}}, partition(SolveComponent(nodes, given, cfg)))
	asked := 0
	cfg.Weight = func(x, y int) (float64, bool) {
		asked++
		require.Equal(t, [2]int{0, 2}, [2]int{min(x, y), max(x, y)})
		return -8, true
	}
	require.Equal(t, [][]int{{0, 1}, {2}}, partition(SolveComponent(nodes, given, cfg)))
	require.Equal(t, 1, asked)

	// Beyond MaxNodes only the given pairs count.
	cfg.MaxNodes = 2
	asked = 0
	require.Equal(t, [][]int{{0, 1, 2}}, partition(SolveComponent(nodes, given, cfg)))
	require.Zero(t, asked)
}

// TestSolveComponentProperties checks on random components that the result
// respects the constraints, is never worse than every record alone or than
// the links' connected components when those are feasible, does not depend
// on the order of nodes and pairs, and that no single-record move improves
// it.
func TestSolveComponentProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 300 {
		n := 2 + r.IntN(9)
		partners := make([]int, n)
		for i := range partners {
			partners[i] = r.IntN(4)
		}
		w := map[[2]int]float64{}
		for i := range n {
			for j := i + 1; j < n; j++ {
				if r.Float64() < 0.6 {
					w[[2]int{i, j}] = math.Round((r.Float64()*30-15)*4) / 4
				}
			}
		}
		cfg := SolveConfig{VetoWeight: -12}
		nodes := nodesOf(partners...)
		labels := SolveComponent(nodes, pairsOf(w), cfg)
		obj := objective(labels, w)
		require.GreaterOrEqual(t, obj, 0.0, "trial %d: worse than all alone", trial)
		for k, x := range w {
			if labels[k[0]] == labels[k[1]] {
				require.GreaterOrEqual(t, x, cfg.VetoWeight, "trial %d: vetoed pair together", trial)
			}
		}
		require.True(t, duplicatesConnected(labels, partners, w, cfg), "trial %d: records of a partner in a person not joined by duplicate links", trial)
		// Local optimality: moving one record without partner mates
		// elsewhere (or alone) does not gain.
		for x := range n {
			if hasMate(labels, partners, x) {
				continue
			}
			for target := -1; target < n; target++ {
				moved := slices.Clone(labels)
				if target < 0 {
					moved[x] = n + 1
				} else {
					moved[x] = labels[target]
				}
				if feasible(moved, partners, w, cfg) {
					require.LessOrEqual(t, objective(moved, w), obj+1e-6, "trial %d: moving %d gains: partners %v w %v labels %v moved %v", trial, x, partners, w, labels, moved)
				}
			}
		}
		// Permuted input, same partition of the same keys.
		perm := r.Perm(n)
		pn := make([]Node, n)
		for i, p := range perm {
			pn[p] = nodes[i]
		}
		pw := map[[2]int]float64{}
		for k, x := range w {
			a, b := perm[k[0]], perm[k[1]]
			pw[[2]int{min(a, b), max(a, b)}] = x
		}
		pp := pairsOf(pw)
		r.Shuffle(len(pp), func(i, j int) { pp[i], pp[j] = pp[j], pp[i] })
		pl := SolveComponent(pn, pp, cfg)
		for i := range n {
			for j := range n {
				require.Equal(t, labels[i] == labels[j], pl[perm[i]] == pl[perm[j]], "trial %d: order changed the result", trial)
			}
		}
	}
}

func hasMate(labels, partners []int, x int) bool {
	for y := range labels {
		if y != x && labels[y] == labels[x] && partners[y] == partners[x] {
			return true
		}
	}
	return false
}

// feasible: no vetoed pair together, and the records of each partner in a
// person connected by duplicate links.
func feasible(labels, partners []int, w map[[2]int]float64, cfg SolveConfig) bool {
	for i := range labels {
		for j := i + 1; j < len(labels); j++ {
			if x, ok := w[[2]int{i, j}]; ok && labels[i] == labels[j] && x < cfg.VetoWeight {
				return false
			}
		}
	}
	return duplicatesConnected(labels, partners, w, cfg)
}

func duplicatesConnected(labels, partners []int, w map[[2]int]float64, cfg SolveConfig) bool {
	n := len(labels)
	seen := make([]bool, n)
	for i := range n {
		if seen[i] {
			continue
		}
		// Records of i's partner in i's person, and those reachable from i.
		var group []int
		for j := range n {
			if labels[j] == labels[i] && partners[j] == partners[i] {
				group = append(group, j)
			}
		}
		reach := map[int]bool{i: true}
		stack := []int{i}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, y := range group {
				if reach[y] {
					continue
				}
				if v, ok := w[[2]int{min(x, y), max(x, y)}]; ok && v >= cfg.DuplicateWeight {
					reach[y] = true
					stack = append(stack, y)
				}
			}
		}
		for _, j := range group {
			if !reach[j] {
				return false
			}
			seen[j] = true
		}
	}
	return true
}

// TestBuildCorrelationSplitsChains: Build with Correlation asks Weight for
// the pairs of a component that were not links, and a contradicted chain
// is cut even though no pair is a certain non-match.
func TestBuildCorrelationSplitsChains(t *testing.T) {
	partners := []Partner{
		{Name: "a", RecordIDs: []string{"a0"}},
		{Name: "b", RecordIDs: []string{"b0"}},
		{Name: "c", RecordIDs: []string{"c0"}},
	}
	edges := []Edge{edge(0, 0, 1, 0, 20), edge(1, 0, 2, 0, 3)}
	weight := func(x, y Ref) (float64, bool) {
		if x.Partner+y.Partner == 2 { // a0–c0
			return -8, true
		}
		return 0, false
	}
	cfg := DefaultConfig()
	cfg.Correlation = CorrelationOff
	cfg.Veto = func(x, y Ref) bool { w, ok := weight(x, y); return ok && w < -10 }
	links, _, err := Build(context.Background(), partners, edges, cfg)
	require.NoError(t, err)
	require.Equal(t, [][]string{{"a/a0", "b/b0", "c/c0"}}, groups(links, false), "heaviest-first merging chains")

	cfg = DefaultConfig()
	cfg.Correlation = CorrelationAll
	cfg.Weight = weight
	links, st, err := Build(context.Background(), partners, edges, cfg)
	require.NoError(t, err)
	require.Equal(t, [][]string{{"a/a0", "b/b0"}, {"c/c0"}}, groups(links, false))
	require.Equal(t, 1, st.Components)
	require.Equal(t, 1, st.Split)
}

// TestBuildContested: with CorrelationContested a component the
// heaviest-first merge made one person stays so, and one where it refused
// a link is solved on all its pairs.
func TestBuildContested(t *testing.T) {
	partners := []Partner{
		{Name: "a", RecordIDs: []string{"a0", "a1", "a2"}},
		{Name: "b", RecordIDs: []string{"b0", "b1"}},
		{Name: "c", RecordIDs: []string{"c0", "c1"}},
	}
	edges := []Edge{
		edge(0, 0, 1, 0, 20), edge(1, 0, 2, 0, 3), // a0–b0–c0: merged, though a0–c0 disagree
		edge(0, 1, 1, 1, 10), edge(0, 2, 2, 1, 9), edge(1, 1, 2, 1, 8), // b1–c1 refused: a twice
	}
	weights := map[[2]Ref]float64{
		{{0, 0}, {2, 0}}: -8,
		{{0, 1}, {2, 1}}: 6,
		{{0, 2}, {1, 1}}: -12,
	}
	weight := func(x, y Ref) (float64, bool) {
		if w, ok := weights[[2]Ref{x, y}]; ok {
			return w, true
		}
		w, ok := weights[[2]Ref{y, x}]
		return w, ok
	}
	cfg := DefaultConfig()
	require.Equal(t, CorrelationContested, cfg.Correlation)
	cfg.Weight = weight
	links, st, err := Build(context.Background(), partners, edges, cfg)
	require.NoError(t, err)
	require.Equal(t, [][]string{{"a/a0", "b/b0", "c/c0"}, {"a/a1", "b/b1", "c/c1"}, {"a/a2"}}, groups(links, false))
	require.Equal(t, 1, st.Components, "only the contested component is solved")
	require.Equal(t, 1, st.Split)

	cfg.Correlation = CorrelationOff
	links, _, err = Build(context.Background(), partners, edges, cfg)
	require.NoError(t, err)
	require.Equal(t, [][]string{{"a/a0", "b/b0", "c/c0"}, {"a/a1", "b/b1"}, {"a/a2", "c/c1"}}, groups(links, false))

	cfg.Correlation = CorrelationAll
	links, _, err = Build(context.Background(), partners, edges, cfg)
	require.NoError(t, err)
	require.Equal(t, [][]string{{"a/a0", "b/b0"}, {"a/a1", "b/b1", "c/c1"}, {"a/a2"}, {"c/c0"}}, groups(links, false))
}
