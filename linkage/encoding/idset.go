package encoding

import "hash/maphash"

// idSet remembers the record ids seen in a run, as 128-bit keyed hashes
// (two maphash seeds) with the row where each first appeared: a few dozen
// bytes per record whatever the length of the ids, and a false duplicate
// among 10⁸ ids has a probability below 10⁻²². The workers hash (key), in
// parallel; the emitter, which sees the rows in input order, only looks
// the keys up (add).
type idSet struct {
	seeds idSeeds
	rows  map[idKey]int
}

type idKey [2]uint64

type idSeeds struct{ s1, s2 maphash.Seed }

func newIDSet() *idSet {
	return &idSet{seeds: idSeeds{maphash.MakeSeed(), maphash.MakeSeed()}, rows: map[idKey]int{}}
}

// key is the hash of a record id.
func (s idSeeds) key(id string) idKey {
	return idKey{maphash.String(s.s1, id), maphash.String(s.s2, id)}
}

// add records the id with key k at row; when it was seen before it
// returns the row of its first occurrence and true.
func (s *idSet) add(k idKey, row int) (int, bool) {
	if first, ok := s.rows[k]; ok {
		return first, true
	}
	s.rows[k] = row
	return 0, false
}
