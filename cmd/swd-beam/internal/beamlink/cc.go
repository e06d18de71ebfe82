package beamlink

import (
	"fmt"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

// Connected components by alternating large-star and small-star
// operations (Kiveris, Lattanzi, Mirrokni, Rastogi, Vassilvitskii:
// "Connected Components in MapReduce and Beyond", SoCC 2014). Nodes are
// uint64 labels; an edge is a KV<uint64, uint64>. Each operation is one
// GroupByKey over the edges, so no worker holds more than one node's
// neighbourhood. After enough rounds every component is a star around its
// smallest node; Components checks that it is and fails otherwise.
//
//   large-star(u): m = min(Γ(u) ∪ {u}); link every neighbour v > u to m.
//   small-star(u): N = {v ∈ Γ(u): v ≤ u}, m = min(N ∪ {u}); link every
//                  v ∈ N ∪ {u} to m.

// bothWays emits an edge in both directions.
func bothWays(u, v uint64, emit func(uint64, uint64)) {
	if u != v {
		emit(u, v)
		emit(v, u)
	}
}

// toLarger orients an edge from its larger end to its smaller one.
func toLarger(u, v uint64, emit func(uint64, uint64)) {
	switch {
	case u > v:
		emit(u, v)
	case v > u:
		emit(v, u)
	}
}

func neighbours(vs func(*uint64) bool) []uint64 {
	var out []uint64
	var v uint64
	for vs(&v) {
		out = append(out, v)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func largeStarFn(u uint64, vs func(*uint64) bool, emit func(uint64, uint64)) {
	n := neighbours(vs)
	m := min(u, n[0])
	for _, v := range n {
		if v > u {
			emit(v, m)
		}
	}
}

func smallStarFn(u uint64, vs func(*uint64) bool, emit func(uint64, uint64)) {
	n := neighbours(vs) // all ≤ u: edges were oriented to the larger end
	m := min(u, n[0])
	for _, v := range n {
		if v != m {
			emit(v, m)
		}
	}
	if u != m {
		emit(u, m)
	}
}

// labelFn gives each node its component's label (its smallest node) and
// checks that the component is a star around it: a node whose smallest
// neighbour is smaller than itself must have that one neighbour only.
func labelFn(u uint64, vs func(*uint64) bool, emit func(uint64, uint64)) error {
	n := neighbours(vs)
	if n[0] > u {
		emit(u, u)
		return nil
	}
	if len(n) > 1 {
		return fmt.Errorf("beamlink: connected components did not converge in the rounds given (raise --cc-rounds)")
	}
	emit(u, n[0])
	return nil
}

// Components labels every node of the edges with the smallest node of its
// connected component, in rounds rounds of large-star followed by
// small-star. Nodes without edges do not appear.
func Components(s beam.Scope, edges beam.PCollection, rounds int) beam.PCollection {
	s = s.Scope("ConnectedComponents")
	for r := range rounds {
		rs := s.Scope(fmt.Sprintf("Round%d", r+1))
		both := beam.ParDo(rs, bothWays, edges)
		edges = beam.ParDo(rs, largeStarFn, beam.GroupByKey(rs, both))
		oriented := beam.ParDo(rs, toLarger, edges)
		edges = beam.ParDo(rs, smallStarFn, beam.GroupByKey(rs, oriented))
	}
	both := beam.ParDo(s, bothWays, edges)
	return beam.ParDo(s, labelFn, beam.GroupByKey(s, both))
}
