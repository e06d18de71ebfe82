package cluster

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/welfare-district/swd/internal/base"
)

// groups returns the clusters (or households) as sorted lists of
// "partner/record" strings, sorted.
func groups(links []Link, household bool) [][]string {
	m := map[int64][]string{}
	for _, l := range links {
		id := l.ClusterID
		if household {
			id = l.HouseholdID
		}
		m[id] = append(m[id], l.Partner+"/"+l.RecordID)
	}
	var out [][]string
	for _, g := range m {
		slices.Sort(g)
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b []string) int { return slices.Compare(a, b) })
	return out
}

func edge(p, i, q, j int, w float64) Edge {
	return Edge{A: Ref{p, i}, B: Ref{q, j}, Weight: w, Probability: 1 - 1/(1+w)}
}

func TestBuild(t *testing.T) {
	three := []Partner{
		{Name: "a", RecordIDs: []string{"a0", "a1", "a2"}},
		{Name: "b", RecordIDs: []string{"b0", "b1", "b2"}},
		{Name: "c", RecordIDs: []string{"c0", "c1"}},
	}
	tests := []struct {
		name     string
		partners []Partner
		edges    []Edge
		cfg      Config
		want     [][]string
		refused  int
	}{
		{
			name:     "no links: every record alone",
			partners: three,
			want:     [][]string{{"a/a0"}, {"a/a1"}, {"a/a2"}, {"b/b0"}, {"b/b1"}, {"b/b2"}, {"c/c0"}, {"c/c1"}},
		},
		{
			name:     "three-party chain",
			partners: three,
			edges:    []Edge{edge(0, 0, 1, 0, 10), edge(1, 0, 2, 0, 9)},
			want:     [][]string{{"a/a0", "b/b0", "c/c0"}, {"a/a1"}, {"a/a2"}, {"b/b1"}, {"b/b2"}, {"c/c1"}},
		},
		{
			name:     "below threshold ignored",
			partners: three,
			edges:    []Edge{edge(0, 0, 1, 0, 10), edge(1, 0, 2, 0, 0.5)}, // p = 1/3
			cfg:      Config{Threshold: 0.5},
			want:     [][]string{{"a/a0", "b/b0"}, {"a/a1"}, {"a/a2"}, {"b/b1"}, {"b/b2"}, {"c/c0"}, {"c/c1"}},
		},
		{
			name:     "conflict through a third partner resolved by weight",
			partners: three,
			// a0-c0 and a1-c0... a0-b0 strong, b0-c0 strong, a1-c0 weaker: c0 would join two a's.
			edges:   []Edge{edge(0, 0, 1, 0, 10), edge(1, 0, 2, 0, 9), edge(0, 1, 2, 0, 5)},
			want:    [][]string{{"a/a0", "b/b0", "c/c0"}, {"a/a1"}, {"a/a2"}, {"b/b1"}, {"b/b2"}, {"c/c1"}},
			refused: 1,
		},
		{
			name:     "accepted duplicate within a partner may repeat that partner",
			partners: three,
			edges:    []Edge{edge(0, 0, 1, 0, 10), edge(0, 0, 0, 1, 8), edge(0, 1, 2, 1, 7)},
			want:     [][]string{{"a/a0", "a/a1", "b/b0", "c/c1"}, {"a/a2"}, {"b/b1"}, {"b/b2"}, {"c/c0"}},
		},
		{
			name:     "duplicate link cannot join two persons that both hold other partners' records",
			partners: three,
			edges:    []Edge{edge(0, 0, 1, 0, 10), edge(0, 1, 1, 1, 10), edge(0, 0, 0, 1, 8)},
			want:     [][]string{{"a/a0", "b/b0"}, {"a/a1", "b/b1"}, {"a/a2"}, {"b/b2"}, {"c/c0"}, {"c/c1"}},
			refused:  1,
		},
		{
			name:     "de-duplication of one partner",
			partners: three[:1],
			edges:    []Edge{edge(0, 0, 0, 2, 3), edge(0, 2, 0, 1, 2)},
			want:     [][]string{{"a/a0", "a/a1", "a/a2"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			links, st, err := Build(context.Background(), tt.partners, tt.edges, tt.cfg)
			require.NoError(t, err)
			require.Equal(t, tt.want, groups(links, false))
			require.Equal(t, tt.refused, st.Refused)
			require.Equal(t, len(tt.want), st.Clusters)
			n := 0
			for _, p := range tt.partners {
				n += len(p.RecordIDs)
			}
			require.Len(t, links, n, "every record appears once")
			for _, l := range links {
				if l.ClusterID == links[0].ClusterID && len(tt.want[0]) == 1 {
					require.Zero(t, l.MatchProbability, "a singleton has probability 0")
				}
			}
		})
	}
}

func TestMatchProbabilityIsBestAcceptedLink(t *testing.T) {
	ps := []Partner{{Name: "a", RecordIDs: []string{"a0"}}, {Name: "b", RecordIDs: []string{"b0", "b1"}}}
	es := []Edge{
		{A: Ref{0, 0}, B: Ref{1, 0}, Weight: 5, Probability: 0.97},
		{A: Ref{0, 0}, B: Ref{1, 1}, Weight: 3, Probability: 0.9}, // loses the 1:1 assignment
	}
	links, _, err := Build(context.Background(), ps, es, Config{Threshold: 0.5})
	require.NoError(t, err)
	got := map[string]float64{}
	for _, l := range links {
		got[l.RecordID] = l.MatchProbability
	}
	require.Equal(t, map[string]float64{"a0": 0.97, "b0": 0.97, "b1": 0}, got)
}

func TestOptimalAssignment(t *testing.T) {
	// a0-b0 is the best single link, but a0-b1 + a1-b0 together weigh more.
	ps := []Partner{{Name: "a", RecordIDs: []string{"a0", "a1"}}, {Name: "b", RecordIDs: []string{"b0", "b1"}}}
	es := []Edge{edge(0, 0, 1, 0, 10), edge(0, 0, 1, 1, 8), edge(0, 1, 1, 0, 8)}
	opt, _, err := Build(context.Background(), ps, es, Config{})
	require.NoError(t, err)
	require.Equal(t, [][]string{{"a/a0", "b/b1"}, {"a/a1", "b/b0"}}, groups(opt, false))
	gr, _, err := Build(context.Background(), ps, es, Config{Assignment: AssignGreedy})
	require.NoError(t, err)
	require.Equal(t, [][]string{{"a/a0", "b/b0"}, {"a/a1"}, {"b/b1"}}, groups(gr, false))
}

// TestOptimalMatchesBruteForce checks the dynamic program against brute
// force on random small components.
func TestOptimalMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		na, nb := 1+rng.IntN(5), 1+rng.IntN(5)
		ps := []Partner{{Name: "a"}, {Name: "b"}}
		for i := range na {
			ps[0].RecordIDs = append(ps[0].RecordIDs, string(rune('A'+i)))
		}
		for j := range nb {
			ps[1].RecordIDs = append(ps[1].RecordIDs, string(rune('a'+j)))
		}
		var es []Edge
		for i := range na {
			for j := range nb {
				if rng.IntN(2) == 0 {
					es = append(es, edge(0, i, 1, j, float64(1+rng.IntN(20))))
				}
			}
		}
		ix, err := newIndex(ps)
		require.NoError(t, err)
		ge, err := ix.edges(es, 0)
		require.NoError(t, err)
		got := total(ix.oneToOne(ge, true))
		require.Equal(t, bruteBest(ge, 0, map[int]bool{}), got, "trial %d", trial)
	}
}

func total(es []gedge) float64 {
	s := 0.0
	for _, e := range es {
		s += e.weight
	}
	return s
}

func bruteBest(es []gedge, k int, used map[int]bool) float64 {
	if k == len(es) {
		return 0
	}
	best := bruteBest(es, k+1, used)
	e := es[k]
	if !used[e.lo] && !used[e.hi] {
		used[e.lo], used[e.hi] = true, true
		best = max(best, e.weight+bruteBest(es, k+1, used))
		used[e.lo], used[e.hi] = false, false
	}
	return best
}

func TestHouseholds(t *testing.T) {
	ps := []Partner{
		{Name: "comune", RecordIDs: []string{"c0", "c1", "c2", "c3"}, Households: []string{"H1", "H1", "H2", ""}},
		{Name: "caritas", RecordIDs: []string{"k0", "k1", "k2"}, Households: []string{"N7", "N7", "N8"}},
	}
	// c1 = k0 (same person); caritas puts k0 with k1, so k1 joins c0/c1's
	// household; c3 = k2, and k2's household N8 is only itself.
	es := []Edge{edge(0, 1, 1, 0, 10), edge(0, 3, 1, 2, 10)}
	links, st, err := Build(context.Background(), ps, es, Config{})
	require.NoError(t, err)
	require.Equal(t, [][]string{
		{"caritas/k0", "caritas/k1", "comune/c0", "comune/c1"},
		{"caritas/k2", "comune/c3"},
		{"comune/c2"},
	}, groups(links, true))
	require.Equal(t, 3, st.Households)
	require.Equal(t, 5, st.Clusters)
	for _, l := range links {
		require.GreaterOrEqual(t, l.HouseholdID, int64(0))
		require.Less(t, l.HouseholdID, int64(3))
	}
}

func TestCoResidence(t *testing.T) {
	// Households by partner id: comune H1 = {c0}, H2 = {c1, c3}, H3 =
	// {c2}; caritas N1 = {k0}, N2 = {k1, k2}; acli A1 = {a0, a1}. Keys: 7
	// is held by c0 and k0 only; 8 by c1, k1 and a0 (three households:
	// ambiguous); 9 by c2 and c3, both of the comune, which says they are
	// two households; 5 by k2 and a1 only.
	ps := []Partner{
		{Name: "comune", RecordIDs: []string{"c0", "c1", "c2", "c3"}, Households: []string{"H1", "H2", "H3", "H2"}, CoResidence: []uint64{7, 8, 9, 9}},
		{Name: "caritas", RecordIDs: []string{"k0", "k1", "k2"}, Households: []string{"N1", "N2", "N2"}, CoResidence: []uint64{7, 8, 5}},
		{Name: "acli", RecordIDs: []string{"a0", "a1"}, Households: []string{"A1", "A1"}, CoResidence: []uint64{8, 5}},
	}
	want := [][]string{
		{"acli/a0", "acli/a1", "caritas/k1", "caritas/k2"}, // key 5
		{"caritas/k0", "comune/c0"},                        // key 7
		{"comune/c1", "comune/c3"},
		{"comune/c2"},
	}
	links, st, err := Build(context.Background(), ps, nil, Config{})
	require.NoError(t, err)
	require.Equal(t, want, groups(links, true))
	require.Equal(t, 2, st.CoResident)
	require.Equal(t, 9, st.Clusters, "co-residence joins households, not persons")

	t.Run("order of partners and records", func(t *testing.T) {
		rev := func(p Partner) Partner {
			q := Partner{Name: p.Name}
			for i := len(p.RecordIDs) - 1; i >= 0; i-- {
				q.RecordIDs = append(q.RecordIDs, p.RecordIDs[i])
				q.Households = append(q.Households, p.Households[i])
				q.CoResidence = append(q.CoResidence, p.CoResidence[i])
			}
			return q
		}
		links, st, err := Build(context.Background(), []Partner{rev(ps[2]), rev(ps[0]), rev(ps[1])}, nil, Config{})
		require.NoError(t, err)
		require.Equal(t, want, groups(links, true))
		require.Equal(t, 2, st.CoResident)
	})

	t.Run("chain stops at a shared partner", func(t *testing.T) {
		// a0 (partner a) – key 1 – b0 (partner b) – key 2 – a1 (partner a,
		// another household): the first pair joins, the second would put
		// partner a's two households together.
		ps := []Partner{
			{Name: "a", RecordIDs: []string{"a0", "a1"}, Households: []string{"X", "Y"}, CoResidence: []uint64{1, 2}},
			{Name: "b", RecordIDs: []string{"b0", "b1"}, Households: []string{"Z", "Z"}, CoResidence: []uint64{1, 2}},
		}
		links, st, err := Build(context.Background(), ps, nil, Config{})
		require.NoError(t, err)
		require.Equal(t, [][]string{{"a/a0", "b/b0", "b/b1"}, {"a/a1"}}, groups(links, true))
		require.Equal(t, 1, st.CoResident)
	})
	t.Run("no keys: no joins", func(t *testing.T) {
		ps := []Partner{
			{Name: "a", RecordIDs: []string{"a0"}, CoResidence: []uint64{0}},
			{Name: "b", RecordIDs: []string{"b0"}, CoResidence: []uint64{0}},
		}
		_, st, err := Build(context.Background(), ps, nil, Config{})
		require.NoError(t, err)
		require.Equal(t, 2, st.Households)
		require.Zero(t, st.CoResident)
	})
	t.Run("wrong length", func(t *testing.T) {
		ps := []Partner{{Name: "a", RecordIDs: []string{"a0"}, CoResidence: []uint64{1, 2}}}
		_, _, err := Build(context.Background(), ps, nil, Config{})
		require.True(t, errors.Is(err, base.ErrInvalidInput))
	})
}

func TestCoResidenceAt(t *testing.T) {
	// comune's household H = {c0 (phone 1, no address), c1 (no phone,
	// address 10)}; caritas's N = {k0 (phone 1, address 10)}: the pair
	// (1, 10) is held by the two households although no comune record
	// holds both. acli's A = {a0 (phone 2, address 10)} and ulss's U =
	// {u0 (phone 2, address 11)} share a phone but no address.
	ps := []Partner{
		{Name: "comune", RecordIDs: []string{"c0", "c1"}, Households: []string{"H", "H"}, CoResidence: []uint64{1, 0}, CoResidenceAt: []uint64{0, 10}},
		{Name: "caritas", RecordIDs: []string{"k0"}, Households: []string{"N"}, CoResidence: []uint64{1}, CoResidenceAt: []uint64{10}},
		{Name: "acli", RecordIDs: []string{"a0"}, Households: []string{"A"}, CoResidence: []uint64{2}, CoResidenceAt: []uint64{10}},
		{Name: "ulss", RecordIDs: []string{"u0"}, Households: []string{"U"}, CoResidence: []uint64{2}, CoResidenceAt: []uint64{11}},
	}
	links, st, err := Build(context.Background(), ps, nil, Config{})
	require.NoError(t, err)
	require.Equal(t, [][]string{{"acli/a0"}, {"caritas/k0", "comune/c0", "comune/c1"}, {"ulss/u0"}}, groups(links, true))
	require.Equal(t, 1, st.CoResident)

	t.Run("a third holder says nothing", func(t *testing.T) {
		qs := append(slices.Clone(ps), Partner{Name: "cgil", RecordIDs: []string{"g0"}, Households: []string{"G"}, CoResidence: []uint64{1}, CoResidenceAt: []uint64{10}})
		_, st, err := Build(context.Background(), qs, nil, Config{})
		require.NoError(t, err)
		require.Zero(t, st.CoResident)
	})
	t.Run("wrong length", func(t *testing.T) {
		qs := []Partner{{Name: "a", RecordIDs: []string{"a0"}, CoResidence: []uint64{1}, CoResidenceAt: []uint64{1, 2}}}
		_, _, err := Build(context.Background(), qs, nil, Config{})
		require.True(t, errors.Is(err, base.ErrInvalidInput))
	})
}

func TestBuildDeterministicUnderPermutation(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var ps []Partner
	for p := range 4 {
		pt := Partner{Name: string(rune('p' + p))}
		for i := range 30 {
			pt.RecordIDs = append(pt.RecordIDs, string(rune('A'+i)))
			pt.Households = append(pt.Households, string(rune('0'+i/3)))
			pt.CoResidence = append(pt.CoResidence, uint64(rng.IntN(60))) // some shared by two households
			// and some partners pair them with places
			if p%2 == 0 {
				pt.CoResidenceAt = append(pt.CoResidenceAt, uint64(rng.IntN(3)))
			}
		}
		ps = append(ps, pt)
	}
	var es []Edge
	for range 200 {
		w := float64(rng.IntN(8)) // many ties on purpose
		es = append(es, Edge{A: Ref{rng.IntN(4), rng.IntN(30)}, B: Ref{rng.IntN(4), rng.IntN(30)}, Weight: w, Probability: 0.5 + w/20})
	}
	want, wantSt, err := Build(context.Background(), ps, es, Config{Threshold: 0.5})
	require.NoError(t, err)
	for trial := range 10 {
		// Permute partners (remapping refs), rows within partners, and edges.
		perm := rng.Perm(4)
		rows := make([][]int, 4)
		qs := make([]Partner, 4)
		for p := range 4 {
			rows[p] = rng.Perm(30)
			q := Partner{Name: ps[p].Name, RecordIDs: make([]string, 30), Households: make([]string, 30), CoResidence: make([]uint64, 30)}
			if ps[p].CoResidenceAt != nil {
				q.CoResidenceAt = make([]uint64, 30)
			}
			for i, r := range rows[p] {
				q.RecordIDs[r] = ps[p].RecordIDs[i]
				q.Households[r] = ps[p].Households[i]
				q.CoResidence[r] = ps[p].CoResidence[i]
				if q.CoResidenceAt != nil {
					q.CoResidenceAt[r] = ps[p].CoResidenceAt[i]
				}
			}
			qs[perm[p]] = q
		}
		fs := make([]Edge, len(es))
		for k, e := range es {
			fs[k] = Edge{A: Ref{perm[e.A.Partner], rows[e.A.Partner][e.A.Row]}, B: Ref{perm[e.B.Partner], rows[e.B.Partner][e.B.Row]}, Weight: e.Weight, Probability: e.Probability}
			if rng.IntN(2) == 0 {
				fs[k].A, fs[k].B = fs[k].B, fs[k].A
			}
		}
		rng.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
		got, gotSt, err := Build(context.Background(), qs, fs, Config{Threshold: 0.5})
		require.NoError(t, err)
		require.Equal(t, want, got, "trial %d", trial)
		require.Equal(t, wantSt, gotSt)
	}
}

func TestBuildErrors(t *testing.T) {
	dup := []Partner{{Name: "a", RecordIDs: []string{"SECRET", "SECRET"}}}
	_, _, err := Build(context.Background(), dup, nil, Config{})
	require.True(t, errors.Is(err, base.ErrInvalidInput))
	require.NotContains(t, err.Error(), "SECRET")
	require.Contains(t, err.Error(), "row 2")

	twice := []Partner{{Name: "a"}, {Name: "a"}}
	_, _, err = Build(context.Background(), twice, nil, Config{})
	require.True(t, errors.Is(err, base.ErrInvalidInput))

	one := []Partner{{Name: "a", RecordIDs: []string{"x"}}}
	_, _, err = Build(context.Background(), one, []Edge{edge(0, 0, 0, 5, 1)}, Config{})
	require.True(t, errors.Is(err, base.ErrUsage))
	_, _, err = Build(context.Background(), one, nil, Config{Threshold: 2})
	require.True(t, errors.Is(err, base.ErrUsage))
}

func TestMinDensityStopsChaining(t *testing.T) {
	// Two families of three duplicates each, fully linked inside, and one
	// spurious link between them: single linkage fuses all six records.
	ps := []Partner{{Name: "a", RecordIDs: []string{"x0", "x1", "x2", "y0", "y1", "y2"}}}
	var es []Edge
	for _, fam := range [][]int{{0, 1, 2}, {3, 4, 5}} {
		for i := range fam {
			for j := i + 1; j < len(fam); j++ {
				es = append(es, edge(0, fam[i], 0, fam[j], 5))
			}
		}
	}
	es = append(es, edge(0, 2, 0, 3, 3)) // spurious, weaker than the families' own links
	single, _, err := Build(context.Background(), ps, es, Config{})
	require.NoError(t, err)
	require.Len(t, groups(single, false), 1)

	merging := DefaultConfig()
	merging.Correlation = CorrelationOff
	guarded, st, err := Build(context.Background(), ps, es, merging)
	require.NoError(t, err)
	require.Equal(t, 1, st.Sparse)
	require.Equal(t, [][]string{{"a/x0", "a/x1", "a/x2"}, {"a/y0", "a/y1", "a/y2"}}, groups(guarded, false))

	dense := append(es, edge(0, 0, 0, 3, 4), edge(0, 1, 0, 4, 4), edge(0, 0, 0, 4, 4), edge(0, 1, 0, 5, 4), edge(0, 2, 0, 4, 4))
	merged, _, err := Build(context.Background(), ps, dense, merging)
	require.NoError(t, err)
	require.Len(t, groups(merged, false), 1, "6 of 9 cross pairs linked: dense enough")
}

// JoinCoResident on a component of the pairs alone makes the joins it
// makes among all pairs: in ascending order, refused where the households
// as joined so far share a partner. Each joined set is named by its
// smallest household.
func TestJoinCoResident(t *testing.T) {
	// Households 0..5; partners: 0 {a}, 1 {b}, 2 {a}, 3 {c}, 4 {d}, 5 {c}.
	masks := []uint64{1, 2, 1, 4, 8, 4}
	mask := func(h int) uint64 { return masks[h] }
	roots := func(root func(int) int) []int {
		out := make([]int, len(masks))
		for h := range out {
			out[h] = root(h)
		}
		return out
	}
	// 0–1 joins; 1–2 would put a twice (0 and 2); 3–4 joins; 4–5 would
	// put c twice. Repeats and reversed pairs count once.
	joins, root := JoinCoResident([][2]int{{2, 1}, {4, 5}, {1, 0}, {0, 1}, {3, 4}, {3, 3}}, mask)
	require.Equal(t, [][2]int{{0, 1}, {3, 4}}, joins)
	require.Equal(t, []int{0, 0, 2, 3, 3, 5}, roots(root))
	// Each component of the pairs on its own: the same joins.
	joins, root = JoinCoResident([][2]int{{2, 1}, {1, 0}}, mask)
	require.Equal(t, [][2]int{{0, 1}}, joins)
	require.Equal(t, []int{0, 0, 2, 3, 4, 5}, roots(root))
	joins, _ = JoinCoResident([][2]int{{4, 5}, {3, 4}}, mask)
	require.Equal(t, [][2]int{{3, 4}}, joins)
	// Without 0–1, 0–2 is refused (partner a twice) and 1–2 joins: named
	// by 1.
	joins, root = JoinCoResident([][2]int{{1, 2}, {2, 0}}, mask)
	require.Equal(t, [][2]int{{1, 2}}, joins)
	require.Equal(t, []int{0, 1, 1, 3, 4, 5}, roots(root))
	// A chain given backwards, 5–4 then 4–3: 3–4 joins first, then 4–5
	// would put c twice; 4's set is named by 3.
	joins, root = JoinCoResident([][2]int{{5, 4}, {4, 3}}, mask)
	require.Equal(t, [][2]int{{3, 4}}, joins)
	require.Equal(t, 3, root(4))
}
