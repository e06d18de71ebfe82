package beamlink

import (
	"encoding/binary"
	"maps"
	"slices"
	"testing"
)

// iterate returns a grouping's values, for calling a DoFn directly.
func iterate(packets [][]byte) func(*[]byte) bool {
	i := 0
	return func(b *[]byte) bool {
		if i == len(packets) {
			return false
		}
		*b = packets[i]
		i++
		return true
	}
}

// collect gathers the packets a DoFn emits.
func collect(out *[][]byte) func(int, []byte) {
	return func(_ int, b []byte) { *out = append(*out, slices.Clone(b)) }
}

// The co-residence stages make cluster.Build's joins: a key held by
// exactly two households without a common partner pairs them; a key held
// by one or three, or by two that share a partner, says nothing; in a
// chain the households are joined in the order of their smallest members,
// each only while no partner repeats.
func TestCoResidenceJoins(t *testing.T) {
	// Households (Ref, smallest member, partners): A {p0}, B {p1}, C {p0},
	// D {p2}, E {p3}, F {p2}, G {p4}.
	h := map[string]House{
		"A": {Ref: 10, Canon: "a\x00a", Mask: 1}, "B": {Ref: 20, Canon: "b\x00b", Mask: 2},
		"C": {Ref: 5, Canon: "c\x00c", Mask: 1}, "D": {Ref: 40, Canon: "d\x00d", Mask: 4},
		"E": {Ref: 50, Canon: "e\x00e", Mask: 8}, "F": {Ref: 60, Canon: "f\x00f", Mask: 4},
		"G": {Ref: 70, Canon: "g\x00g", Mask: 16},
	}
	held := []struct {
		key uint64
		hs  string
	}{
		{1, "AB"},  // joins A and B
		{2, "BC"},  // would put p0 twice (A and C) once A–B joined: refused
		{3, "DE"},  // joins D and E
		{4, "DEG"}, // three households: nothing
		{5, "EF"},  // would put p2 twice (D and F): refused
		{6, "G"},   // one household: nothing
		{7, "AC"},  // A and C share p0: nothing
	}
	var in []byte
	p := newPacker(kindCoRes, func(_ int, b []byte) { in = b })
	for _, e := range held {
		for _, c := range e.hs {
			hh := h[string(c)]
			p.add(0, func(b []byte) []byte { return appendHouse(binary.AppendUvarint(b, e.key), &hh) })
			// Each household tells its key once per component; twice
			// here must change nothing.
			p.add(0, func(b []byte) []byte { return appendHouse(binary.AppendUvarint(b, e.key), &hh) })
		}
	}
	p.flush()
	const buckets = 3
	var nodes, pairs [][]byte
	if err := (&coResFn{Buckets: buckets}).ProcessElement(0, iterate([][]byte{in}), collect(&nodes), collect(&pairs)); err != nil {
		t.Fatal(err)
	}
	var edges [][2]uint64
	for _, b := range nodes {
		if err := readPacket(b, func(_ kind, e []byte) error {
			d := decoder{b: e}
			edges = append(edges, [2]uint64{d.uvarint(), d.uvarint()})
			return d.done()
		}); err != nil {
			t.Fatal(err)
		}
	}
	slices.SortFunc(edges, func(x, y [2]uint64) int { return slices.Compare(x[:], y[:]) })
	// A–B, B–C, D–E, E–F: the refusals are JoinCoResident's.
	if want := [][2]uint64{{5, 20}, {10, 20}, {40, 50}, {50, 60}}; !slices.Equal(edges, want) {
		t.Fatalf("pairs %v, want %v", edges, want)
	}
	// The components, as Components labels them (smallest node), to the
	// pairs' bucket; then the joins.
	label := map[uint64]uint64{10: 5, 20: 5, 5: 5, 40: 40, 50: 40, 60: 40}
	var labels []byte
	lp := newPacker(kindLabel, func(_ int, b []byte) { labels = b })
	for _, u := range slices.Sorted(maps.Keys(label)) {
		lp.add(0, func(b []byte) []byte { return appendNodes(b, u, label[u]) })
	}
	lp.flush()
	var attached [][]byte
	if err := (&attachFn{Buckets: buckets}).ProcessElement(0, iterate(append(pairs, labels)), collect(&attached)); err != nil {
		t.Fatal(err)
	}
	var relabels [][]byte
	var joined int64
	if err := (&joinFn{Buckets: buckets}).ProcessElement(0, iterate(attached), collect(&relabels), func(s ClusterStat) { joined += s.CoResident }); err != nil {
		t.Fatal(err)
	}
	got := map[uint64]uint64{}
	for _, b := range relabels {
		if err := readPacket(b, func(_ kind, e []byte) error {
			d := decoder{b: e}
			u := d.uvarint()
			got[u] = d.uvarint()
			return d.done()
		}); err != nil {
			t.Fatal(err)
		}
	}
	// B joins A (A's smallest member first), E joins D.
	if want := map[uint64]uint64{20: 10, 50: 40}; !maps.Equal(got, want) || joined != 2 {
		t.Fatalf("joined %d: %v, want %v", joined, got, want)
	}
}
