package beamlink

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

	"github.com/welfare-district/swd/linkage/cluster"
)

// The co-residence joins of cluster.Build (its step 5), across the
// components the clustering ran on: two households that are the only two
// to hold a co-residence key (cluster.HouseholdCoResidence: a phone and
// an address of any of its records, hashed by linkage.CoResidenceKeys)
// and have no partner in common are one household. coResFn finds the
// pairs, key by key, with cluster.CoResidentPairs; the pairs' connected
// components (Components, over households) are independent of each other,
// and joinFn makes each component's joins with cluster.JoinCoResident, in
// the order of the households' smallest members: both are the code of
// cluster.Build.

// coResFn reads the households holding each co-residence key of its
// bucket (kindCoRes: key, House). A key held by exactly two households
// with no partner in common (cluster.CoResidentPairs) makes a pair: its
// two households, in the order of their references, go to the
// components as nodes (kindNodes, in any bucket) and the pair itself
// (kindCoPair) to the bucket of its first household, where the component
// labels are.
type coResFn struct {
	Buckets int
}

func (f *coResFn) ProcessElement(_ int, packets func(*[]byte) bool, emitNodes, emitPair func(int, []byte)) error {
	type holder struct {
		key uint64
		h   House
	}
	var hs []holder
	err := readPackets(packets, func(k kind, b []byte) error {
		if k != kindCoRes {
			return errCorrupt
		}
		d := decoder{b: b}
		var e holder
		e.key = d.uvarint()
		d.house(&e.h)
		hs = append(hs, e)
		return d.done()
	})
	if err != nil {
		return err
	}
	nodes, pairs := newPacker(kindNodes, emitNodes), newPacker(kindCoPair, emitPair)
	cluster.CoResidentPairs(hs, func(e holder) uint64 { return e.key }, func(x, y holder) int { return cmp.Compare(x.h.Ref, y.h.Ref) },
		func(e holder) uint64 { return e.h.Mask },
		func(x, y holder) {
			a, b := &x.h, &y.h
			nodes.add(int(mix(a.Ref)>>52), func(e []byte) []byte { return appendNodes(e, a.Ref, b.Ref) })
			pairs.add(bucketOf(a.Ref, f.Buckets), func(e []byte) []byte { return appendHouse(appendHouse(e, a), b) })
		})
	nodes.flush()
	pairs.flush()
	return nil
}

// attachFn gives each pair of its bucket the component label of its
// first household (kindLabel entries of the same bucket) and sends it to
// the bucket of the label.
type attachFn struct {
	Buckets int
}

func (f *attachFn) ProcessElement(_ int, packets func(*[]byte) bool, emit func(int, []byte)) error {
	labels := map[uint64]uint64{}
	var pairs [][]byte
	err := readPackets(packets, func(k kind, b []byte) error {
		d := decoder{b: b}
		switch k {
		case kindLabel:
			u := d.uvarint()
			labels[u] = d.uvarint()
			return d.done()
		case kindCoPair:
			pairs = append(pairs, b)
			return nil
		}
		return errCorrupt
	})
	if err != nil {
		return err
	}
	out := newPacker(kindCompPair, emit)
	for _, b := range pairs {
		d := decoder{b: b}
		l, ok := labels[d.uvarint()]
		if d.err != nil || !ok {
			return fmt.Errorf("beamlink: a co-residence pair's household has no component")
		}
		out.add(bucketOf(l, f.Buckets), func(e []byte) []byte { return append(binary.AppendUvarint(e, l), b...) })
	}
	out.flush()
	return nil
}

// joinFn makes the co-residence joins of each component of pairs of its
// bucket with cluster.JoinCoResident, and labels each household that was
// joined with the reference of its joined set's smallest household (the
// root JoinCoResident gives; kindLabel, to the bucket of the household,
// where its persons are).
type joinFn struct {
	Buckets int
}

func (f *joinFn) ProcessElement(_ int, packets func(*[]byte) bool, emit func(int, []byte), emitStat func(ClusterStat)) error {
	comps := map[uint64][][2]House{}
	err := readPackets(packets, func(k kind, b []byte) error {
		if k != kindCompPair {
			return errCorrupt
		}
		d := decoder{b: b}
		l := d.uvarint()
		var p [2]House
		d.house(&p[0])
		d.house(&p[1])
		comps[l] = append(comps[l], p)
		return d.done()
	})
	if err != nil {
		return err
	}
	out := newPacker(kindLabel, emit)
	var joined int64
	for _, l := range slices.Sorted(maps.Keys(comps)) {
		// The component's households, numbered in the order of their
		// smallest members.
		byRef := map[uint64]House{}
		for _, p := range comps[l] {
			byRef[p[0].Ref], byRef[p[1].Ref] = p[0], p[1]
		}
		hs := slices.SortedFunc(maps.Values(byRef), func(x, y House) int { return cmp.Compare(x.Canon, y.Canon) })
		num := make(map[uint64]int, len(hs))
		for i, h := range hs {
			num[h.Ref] = i
		}
		pairs := make([][2]int, len(comps[l]))
		for i, p := range comps[l] {
			pairs[i] = [2]int{num[p[0].Ref], num[p[1].Ref]}
		}
		joins, root := cluster.JoinCoResident(pairs, func(h int) uint64 { return hs[h].Mask })
		joined += int64(len(joins))
		for i, h := range hs {
			if r := root(i); r != i { // joined: named by its smallest household
				to := hs[r].Ref
				out.add(bucketOf(h.Ref, f.Buckets), func(e []byte) []byte { return appendNodes(e, h.Ref, to) })
			}
		}
	}
	out.flush()
	emitStat(ClusterStat{CoResident: joined})
	return nil
}
