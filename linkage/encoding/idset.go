package encoding

import "hash/maphash"

// idSet remembers the record ids seen in a run, as 128-bit keyed hashes
// (two maphash seeds) with the row where each first appeared: a few dozen
// bytes per record whatever the length of the ids, and a false duplicate
// among 10⁸ ids has a probability below 10⁻²².
type idSet struct {
	s1, s2 maphash.Seed
	rows   map[[2]uint64]int
}

func newIDSet() *idSet {
	return &idSet{s1: maphash.MakeSeed(), s2: maphash.MakeSeed(), rows: map[[2]uint64]int{}}
}

// add records id at row; when id was seen before it returns the row of its
// first occurrence and true.
func (s *idSet) add(id string, row int) (int, bool) {
	k := [2]uint64{maphash.String(s.s1, id), maphash.String(s.s2, id)}
	if first, ok := s.rows[k]; ok {
		return first, true
	}
	s.rows[k] = row
	return 0, false
}
