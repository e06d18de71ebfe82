package cluster

import (
	"math"
	"slices"
)

// Exact assignment is used for a connected component whose smaller side has
// at most exactSmallSide records and whose larger side at most
// exactLargeSide; larger components are assigned greedily. The dynamic
// program costs |large| · 2^|small| · degree steps, so these caps bound it
// to about a million steps per component.
const (
	exactSmallSide = 12
	exactLargeSide = 64
)

// oneToOne selects a one-to-one subset of es, edges between the records of
// two partners (every edge joins side 0 and side 1 as told by side). es must
// be sorted by sortEdges. Within each connected component small enough, the
// subset maximises the total weight (so with positive weights, as log
// posterior odds above a threshold ≥ 0.5 are, two good links can beat one
// better link that blocks both); beyond, it is greedy: heaviest edge first,
// skipping edges whose ends are taken. The result is sorted like es.
func (ix *index) oneToOne(es []gedge, optimal bool) []gedge {
	if !optimal {
		return greedy(es)
	}
	// Components by union-find over the edges' ends (local numbering).
	local := map[int]int{}
	for _, e := range es {
		for _, v := range [2]int{e.lo, e.hi} {
			if _, ok := local[v]; !ok {
				local[v] = len(local)
			}
		}
	}
	uf := newUnionFind(len(local))
	for _, e := range es {
		uf.union(local[e.lo], local[e.hi])
	}
	comps := map[int][]gedge{}
	var roots []int
	for _, e := range es {
		r := uf.find(local[e.lo])
		if _, ok := comps[r]; !ok {
			roots = append(roots, r)
		}
		comps[r] = append(comps[r], e)
	}
	var out []gedge
	for _, r := range roots {
		out = append(out, ix.assignComponent(comps[r])...)
	}
	ix.sortEdges(out)
	return out
}

// greedy takes edges heaviest first while both ends are free.
func greedy(es []gedge) []gedge {
	taken := map[int]bool{}
	var out []gedge
	for _, e := range es {
		if !taken[e.lo] && !taken[e.hi] {
			taken[e.lo], taken[e.hi] = true, true
			out = append(out, e)
		}
	}
	return out
}

// assignComponent solves one connected component exactly when it is small
// enough, greedily otherwise.
func (ix *index) assignComponent(es []gedge) []gedge {
	if len(es) == 1 {
		return es
	}
	// The two sides, each in rank order.
	side := map[int]int{} // global id → side (0 = partner of the first edge's lo)
	p0 := ix.partner[es[0].lo]
	var sides [2][]int
	for _, e := range es {
		for _, v := range [2]int{e.lo, e.hi} {
			if _, ok := side[v]; !ok {
				s := 1
				if ix.partner[v] == p0 {
					s = 0
				}
				side[v] = s
				sides[s] = append(sides[s], v)
			}
		}
	}
	small, large := 0, 1
	if len(sides[1]) < len(sides[0]) {
		small, large = 1, 0
	}
	if len(sides[small]) > exactSmallSide || len(sides[large]) > exactLargeSide {
		return greedy(es)
	}
	for s := range sides {
		slices.SortFunc(sides[s], func(x, y int) int { return ix.rank[x] - ix.rank[y] })
	}
	pos := map[int]int{}
	for s := range sides {
		for i, v := range sides[s] {
			pos[v] = i
		}
	}
	// adj[t]: edges of the t-th record of the large side.
	adj := make([][]int, len(sides[large]))
	for k, e := range es {
		l := e.lo
		if side[l] != large {
			l = e.hi
		}
		adj[pos[l]] = append(adj[pos[l]], k)
	}
	return dpAssign(es, adj, func(e gedge) int {
		if side[e.lo] == small {
			return pos[e.lo]
		}
		return pos[e.hi]
	}, len(sides[small]))
}

// dpAssign is the exact maximum-weight matching of a small bipartite
// component: records of the large side are visited in order, the state is
// the set of small-side records already used.
func dpAssign(es []gedge, adj [][]int, smallPos func(gedge) int, nSmall int) []gedge {
	states := 1 << nSmall
	type step struct {
		prev int32 // previous mask
		edge int32 // edge taken, -1 for none
	}
	best := make([]float64, states)
	for m := range best {
		best[m] = math.Inf(-1)
	}
	best[0] = 0
	trace := make([][]step, len(adj))
	for t, edges := range adj {
		next := make([]float64, states)
		for m := range next {
			next[m] = math.Inf(-1)
		}
		trace[t] = make([]step, states)
		for m := range states {
			if math.IsInf(best[m], -1) {
				continue
			}
			if best[m] > next[m] {
				next[m], trace[t][m] = best[m], step{int32(m), -1}
			}
			for _, k := range edges {
				bit := 1 << smallPos(es[k])
				if m&bit != 0 {
					continue
				}
				if v := best[m] + es[k].weight; v > next[m|bit] {
					next[m|bit], trace[t][m|bit] = v, step{int32(m), int32(k)}
				}
			}
		}
		best = next
	}
	bestMask := 0
	for m := range states {
		if best[m] > best[bestMask] {
			bestMask = m
		}
	}
	var out []gedge
	for t, m := len(adj)-1, bestMask; t >= 0; t-- {
		st := trace[t][m]
		if st.edge >= 0 {
			out = append(out, es[st.edge])
		}
		m = int(st.prev)
	}
	return out
}
