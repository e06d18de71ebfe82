package bitvec

// Pair is a candidate pair of record indices: I into one arena (or dataset),
// J into the other. Blocking produces pairs and the matcher scores them; the
// type lives in the leaf package so both can share it without importing
// each other.
type Pair struct{ I, J uint32 }

// Less orders pairs by (I, J).
func (p Pair) Less(q Pair) bool { return p.I < q.I || p.I == q.I && p.J < q.J }

// Pack returns the pair as one uint64 with I in the high half, so packed
// pairs sort in (I, J) order.
func (p Pair) Pack() uint64 { return uint64(p.I)<<32 | uint64(p.J) }

// UnpackPair is the inverse of Pair.Pack.
func UnpackPair(x uint64) Pair { return Pair{I: uint32(x >> 32), J: uint32(x)} }
