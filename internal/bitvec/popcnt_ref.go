package bitvec

import "math/bits"

// The reference kernels: pure Go, always compiled, the definition every
// accelerated path is tested against.

// countRef is the number of set bits in a.
func countRef(a []uint64) int {
	n := 0
	for _, w := range a {
		n += bits.OnesCount64(w)
	}
	return n
}

// andCountRef is |a ∧ b| over the first len(a) words; len(b) >= len(a).
func andCountRef(a, b []uint64) int {
	b = b[:len(a)]
	n := 0
	for i := range a {
		n += bits.OnesCount64(a[i] & b[i])
	}
	return n
}

// andCountBatchRef writes |q ∧ c_k| into dst[k] for every vector c_k of
// words words in arena (len(arena) == len(dst)*words, len(q) == words) and
// returns the largest.
func andCountBatchRef(q, arena []uint64, words int, dst []uint32) uint32 {
	var m uint32
	for k := range dst {
		c := uint32(andCountRef(q, arena[k*words:(k+1)*words]))
		dst[k] = c
		m = max(m, c)
	}
	return m
}
