package cluster

import (
	"context"
	"math"
	"slices"
)

// solve splits the accepted links es (sorted) into connected components and
// solves each: pairs of records directly, components of three records or
// more with SolveComponent on all their pairs, components larger than
// cfg.SolveMaxNodes with the heaviest-first merge. It returns the persons
// as a union-find over all records.
func (ix *index) solve(ctx context.Context, es []gedge, cfg Config, st *Stats) *unionFind {
	n := ix.len()
	comp := newUnionFind(n)
	for _, e := range es {
		comp.union(e.lo, e.hi)
	}
	// Edges of each component, in the order of es (heaviest first).
	byRoot := map[int][]gedge{}
	var roots []int
	for _, e := range es {
		r := comp.find(e.lo)
		if _, ok := byRoot[r]; !ok {
			roots = append(roots, r)
		}
		byRoot[r] = append(byRoot[r], e)
	}
	maxNodes := cfg.SolveMaxNodes
	if maxNodes == 0 {
		maxNodes = DefaultMaxNodes
	}
	var greedy *unionFind
	if cfg.Correlation == CorrelationContested {
		var gst Stats
		greedy = ix.merge(es, cfg, &gst)
	}
	uf := newUnionFind(n)
	var large []gedge
	for k, r := range roots {
		if k&255 == 0 && ctx.Err() != nil {
			return uf // Build reports ctx.Err()
		}
		ce := byRoot[r]
		if len(ce) == 1 {
			uf.union(ce[0].lo, ce[0].hi)
			st.Merged++
			continue
		}
		nodes := componentNodes(ce)
		if len(nodes) > maxNodes {
			large = append(large, ce...)
			continue
		}
		if greedy != nil && merged(greedy, nodes) {
			for _, id := range nodes[1:] {
				uf.union(nodes[0], id)
				st.Merged++
			}
			continue
		}
		labels := ix.solveComponent(nodes, ce, cfg)
		st.Components++
		first := map[int]int{}
		for i, l := range labels {
			if f, ok := first[l]; ok {
				uf.union(f, nodes[i])
				st.Merged++
			} else {
				first[l] = nodes[i]
			}
		}
		if len(first) > 1 {
			st.Split++
		}
	}
	if len(large) > 0 {
		ix.sortEdges(large)
		big := ix.merge(large, cfg, st)
		for _, e := range large {
			if big.find(e.lo) == big.find(e.hi) {
				uf.union(e.lo, e.hi)
			}
		}
	}
	return uf
}

// merged reports whether the union-find holds all the ids in one set.
func merged(uf *unionFind, ids []int) bool {
	r := uf.find(ids[0])
	for _, id := range ids[1:] {
		if uf.find(id) != r {
			return false
		}
	}
	return true
}

// componentNodes lists the records of a component's edges, ascending.
func componentNodes(es []gedge) []int {
	nodes := make([]int, 0, len(es)+1)
	for _, e := range es {
		nodes = append(nodes, e.lo, e.hi)
	}
	slices.Sort(nodes)
	return slices.Compact(nodes)
}

// solveComponent runs SolveComponent on one component given by its records
// (global ids) and accepted links.
func (ix *index) solveComponent(ids []int, es []gedge, cfg Config) []int {
	nodes := make([]Node, len(ids))
	pos := make(map[int]int, len(ids))
	for i, id := range ids {
		nodes[i] = Node{Partner: ix.partner[id], Key: ix.key(id)}
		pos[id] = i
	}
	pairs := make([]Pair, len(es))
	for k, e := range es {
		pairs[k] = Pair{X: pos[e.lo], Y: pos[e.hi], Weight: e.weight}
	}
	sc := SolveConfig{
		DuplicateWeight: logOdds(cfg.Threshold),
		VetoWeight:      math.Inf(-1),
		MaxNodes:        len(ids),
		FloorWeight:     cfg.FloorWeight,
	}
	switch {
	case cfg.Weight != nil:
		if cfg.VetoWeight < 0 {
			sc.VetoWeight = cfg.VetoWeight
		}
		sc.Weight = func(x, y int) (float64, bool) {
			return cfg.Weight(ix.ref(ids[x]), ix.ref(ids[y]))
		}
	case cfg.Veto != nil:
		sc.Weight = func(x, y int) (float64, bool) {
			if cfg.Veto(ix.ref(ids[x]), ix.ref(ids[y])) {
				return math.Inf(-1), true
			}
			return 0, false
		}
	}
	return SolveComponent(nodes, pairs, sc)
}

// logOdds is log2(p/(1−p)), the weight of posterior p.
func logOdds(p float64) float64 {
	return math.Log2(p / (1 - p))
}
