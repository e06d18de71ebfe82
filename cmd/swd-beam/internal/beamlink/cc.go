package beamlink

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

// Connected components by alternating large-star and small-star
// operations (Kiveris, Lattanzi, Mirrokni, Rastogi, Vassilvitskii:
// "Connected Components in MapReduce and Beyond", SoCC 2014). Nodes are
// uint64 labels. Each operation is one grouping of the edges by node; the
// edges travel in packets by the bucket of their node, and each bucket's
// group is regrouped by node in memory, so no worker holds more than one
// bucket. After enough rounds every component is a star around its
// smallest node; Components checks that it is and fails otherwise.
//
//   large-star(u): m = min(Γ(u) ∪ {u}); link every neighbour v > u to m.
//   small-star(u): N = {v ∈ Γ(u): v ≤ u}, m = min(N ∪ {u}); link every
//                  v ∈ N ∪ {u} to m.

// nodePair is an edge u–v, grouped by u.
type nodePair struct{ u, v uint64 }

// readNodePairs reads the edges of a group (kindNodes or kindEdge entries:
// both start with the two nodes) sorted by u, then v, without duplicates.
func readNodePairs(packets func(*[]byte) bool) ([]nodePair, error) {
	var out []nodePair
	err := readPackets(packets, func(k kind, b []byte) error {
		if k != kindNodes && k != kindEdge {
			return errCorrupt
		}
		d := decoder{b: b}
		out = append(out, nodePair{d.uvarint(), d.uvarint()})
		return d.err
	})
	slices.SortFunc(out, func(x, y nodePair) int { return cmp.Or(cmp.Compare(x.u, y.u), cmp.Compare(x.v, y.v)) })
	return slices.Compact(out), err
}

// eachNode calls fn with each node of sorted pairs and its neighbours.
func eachNode(ps []nodePair, fn func(u uint64, n []uint64)) {
	var n []uint64
	for lo := 0; lo < len(ps); {
		hi := lo
		n = n[:0]
		for hi < len(ps) && ps[hi].u == ps[lo].u {
			n = append(n, ps[hi].v)
			hi++
		}
		fn(ps[lo].u, n)
		lo = hi
	}
}

// ccFn is one step of the components: Op says which.
type ccFn struct {
	Op      string // "both", "large", "small" or "label"
	Buckets int
}

// emitBoth sends the edge u–v to both its nodes.
func (f *ccFn) emitBoth(p *packer, u, v uint64) {
	if u != v {
		p.add(bucketOf(u, f.Buckets), func(b []byte) []byte { return appendNodes(b, u, v) })
		p.add(bucketOf(v, f.Buckets), func(b []byte) []byte { return appendNodes(b, v, u) })
	}
}

func (f *ccFn) ProcessElement(_ int, packets func(*[]byte) bool, emit func(int, []byte)) error {
	if f.Op == "both" {
		// The input edges: a packet of edges, whatever its bucket.
		p := newPacker(kindNodes, emit)
		ps, err := readNodePairs(packets)
		for _, e := range ps {
			f.emitBoth(p, e.u, e.v)
		}
		p.flush()
		return err
	}
	ps, err := readNodePairs(packets)
	if err != nil {
		return err
	}
	if f.Op == "label" {
		p := newPacker(kindLabel, emit)
		eachNode(ps, func(u uint64, n []uint64) {
			l := u
			if n[0] < u {
				if len(n) > 1 {
					err = fmt.Errorf("beamlink: connected components did not converge in the rounds given (raise --cc-rounds)")
				}
				l = n[0]
			}
			p.add(bucketOf(u, f.Buckets), func(b []byte) []byte { return appendNodes(b, u, l) })
		})
		p.flush()
		return err
	}
	p := newPacker(kindNodes, emit)
	eachNode(ps, func(u uint64, n []uint64) {
		m := min(u, n[0])
		switch f.Op {
		case "large":
			// Link every larger neighbour to m, oriented to the larger
			// end (v > u ≥ m) for the small-star.
			for _, v := range n {
				if v > u {
					p.add(bucketOf(v, f.Buckets), func(b []byte) []byte { return appendNodes(b, v, m) })
				}
			}
		case "small":
			// n holds only neighbours ≤ u: the edges were oriented.
			for _, v := range n {
				if v != m {
					f.emitBoth(p, v, m)
				}
			}
			if u != m {
				f.emitBoth(p, u, m)
			}
		}
	})
	p.flush()
	return nil
}

// Components labels every node of the edges with the smallest node of its
// connected component, in rounds rounds of large-star followed by
// small-star. edges are packets of kindEdge or kindNodes entries, in any
// bucket; the labels are packets of kindLabel entries (node, label) in the
// bucket of the node. Nodes without edges do not appear.
func Components(s beam.Scope, edges beam.PCollection, rounds, buckets int) beam.PCollection {
	s = s.Scope("ConnectedComponents")
	both := beam.ParDo(s, &ccFn{Op: "both", Buckets: buckets}, beam.GroupByKey(s, edges))
	for r := range rounds {
		rs := s.Scope(fmt.Sprintf("Round%d", r+1))
		large := beam.ParDo(rs, &ccFn{Op: "large", Buckets: buckets}, beam.GroupByKey(rs, both))
		both = beam.ParDo(rs, &ccFn{Op: "small", Buckets: buckets}, beam.GroupByKey(rs, large))
	}
	return beam.ParDo(s, &ccFn{Op: "label", Buckets: buckets}, beam.GroupByKey(s, both))
}

// PackEdges turns edges KV<u, v> into the packets Components reads, one
// packet an edge (for tests and small inputs).
func PackEdges(s beam.Scope, edges beam.PCollection) beam.PCollection {
	return beam.ParDo(s, packNodes, edges)
}

func packNodes(u, v uint64) (int, []byte) {
	b := appendNodes(nil, u, v)
	return 0, append(binary.AppendUvarint([]byte{byte(kindNodes)}, uint64(len(b))), b...)
}

// UnpackLabels turns the labels of Components into KV<node, label>.
func UnpackLabels(s beam.Scope, labels beam.PCollection) beam.PCollection {
	return beam.ParDo(s, unpackLabels, labels)
}

func unpackLabels(_ int, b []byte, emit func(uint64, uint64)) error {
	return readPacket(b, func(k kind, e []byte) error {
		if k != kindLabel {
			return errCorrupt
		}
		d := decoder{b: e}
		u := d.uvarint()
		emit(u, d.uvarint())
		return d.done()
	})
}
