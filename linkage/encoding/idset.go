package encoding

import "hash/maphash"

// idSet remembers the record ids seen in a run, as 96-bit keyed hashes
// (two maphash seeds) with the row where each first appeared: 16 bytes a
// slot whatever the length of the ids, and a false duplicate among 10⁸ ids
// has a probability below 10⁻¹³. The workers hash (key), in parallel; the
// emitter, which sees the rows in input order, only looks the keys up
// (add), in an open-addressing table with linear probing: the keys are
// already uniform hashes, and the table costs a third of what a Go map of
// them does (one cache miss an id rather than several).
type idSet struct {
	seeds idSeeds
	slots []idSlot // len a power of two; a zero key is a free slot
	n     int
}

type idKey struct {
	a uint64
	b uint32
}

// idSlot is a key and its row, flat so that it takes 16 bytes.
type idSlot struct {
	a   uint64
	b   uint32
	row uint32
}

type idSeeds struct{ s1, s2 maphash.Seed }

func newIDSet() *idSet {
	return &idSet{seeds: idSeeds{maphash.MakeSeed(), maphash.MakeSeed()}, slots: make([]idSlot, 1<<14)}
}

// key is the hash of a record id; never the zero key, which marks a free
// slot.
func (s idSeeds) key(id string) idKey {
	k := idKey{maphash.String(s.s1, id), uint32(maphash.String(s.s2, id))}
	if k == (idKey{}) {
		k.b = 1
	}
	return k
}

// add records the id with key k at row; when it was seen before it
// returns the row of its first occurrence and true.
func (s *idSet) add(k idKey, row int) (int, bool) {
	mask := len(s.slots) - 1
	for i := int(k.a) & mask; ; i = (i + 1) & mask {
		switch sl := s.slots[i]; {
		case sl.a == k.a && sl.b == k.b:
			return int(sl.row), true
		case sl.a == 0 && sl.b == 0:
			s.slots[i] = idSlot{a: k.a, b: k.b, row: uint32(row)}
			if s.n++; 2*s.n > len(s.slots) {
				s.grow()
			}
			return 0, false
		}
	}
}

// grow doubles the table.
func (s *idSet) grow() {
	old := s.slots
	s.slots = make([]idSlot, 2*len(old))
	mask := len(s.slots) - 1
	for _, sl := range old {
		if sl.a == 0 && sl.b == 0 {
			continue
		}
		i := int(sl.a) & mask
		for s.slots[i].a != 0 || s.slots[i].b != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = sl
	}
}

// DuplicateID finds the first record id of ids that appears twice, as the
// rows (0-based) of its first occurrence and of the repeat. swd encode
// rejects duplicates; a reader calls it on a file it did not write, so that
// a file encoded without the check is refused with the file's name.
func DuplicateID(ids []string) (first, repeat int, ok bool) {
	s := newIDSet()
	for i, id := range ids {
		if f, seen := s.add(s.seeds.key(id), i); seen && ids[f] == id {
			return f, i, true
		}
	}
	return 0, 0, false
}
