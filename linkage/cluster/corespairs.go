package cluster

import (
	"cmp"
	"slices"
)

// CoResidentPairs finds the pairs of households that co-residence keys
// join (Build's step 5, before JoinCoResident): the households that are
// the only two to hold a key and have no partner in common. held lists
// which household holds which key, one entry per (key, holder), repeats
// allowed; key and compare give an entry's key and order its holders
// (compare 0: the same household), mask gives the partners of an entry's
// household (bit p for partner p). It sorts held by key, then holder,
// drops repeats, and calls pair(a, b), a's holder before b's, for each key
// held by exactly two households whose masks are disjoint, in key order. A
// key held by one household, or by three or more, says nothing. held is
// sorted in place and its repeats zeroed: not to be used afterwards.
//
// Build calls it on the households of one linkage; a runner that gathers
// each key's holders apart (swd-beam, key by key) calls it on each group.
func CoResidentPairs[T any](held []T, key func(T) uint64, compare func(x, y T) int, mask func(T) uint64, pair func(a, b T)) {
	slices.SortFunc(held, func(x, y T) int { return cmp.Or(cmp.Compare(key(x), key(y)), compare(x, y)) })
	held = slices.CompactFunc(held, func(x, y T) bool { return key(x) == key(y) && compare(x, y) == 0 })
	for lo := 0; lo < len(held); {
		hi := lo + 1
		for hi < len(held) && key(held[hi]) == key(held[lo]) {
			hi++
		}
		if hi-lo == 2 {
			if a, b := held[lo], held[lo+1]; mask(a)&mask(b) == 0 {
				pair(a, b)
			}
		}
		lo = hi
	}
}
