package bitvec

// Count is the number of set bits in v.
func Count(v []uint64) int { return count(v) }

// AndCount is |a ∧ b|, the number of bits set in both a and b. The vectors
// must have the same length.
func AndCount(a, b []uint64) int {
	if len(a) != len(b) {
		panic("bitvec: AndCount of vectors of different sizes")
	}
	return andCount(a, b)
}

// AndCountBatch writes |q ∧ c_k| into dst[k] for each of the len(dst)
// vectors c_k of words words stored back to back in arena, and returns the
// largest count (0 for an empty batch), which lets a caller skip a batch in
// which no count reaches its threshold. len(q) must be words and len(arena)
// at least len(dst)*words. It is the one-vs-many hot loop of the matcher: on
// amd64 with AVX2 the query stays in registers while the candidates stream
// through.
func AndCountBatch(q, arena []uint64, words int, dst []uint32) uint32 {
	if len(q) != words || len(arena) < len(dst)*words {
		panic("bitvec: AndCountBatch with inconsistent sizes")
	}
	return andCountBatch(q, arena, words, dst)
}

// Counts writes the popcount of every vector of a into dst (resized to
// a.Len()) and returns it.
func Counts(dst []uint32, a Arena) []uint32 {
	n := a.Len()
	dst = append(dst[:0], make([]uint32, n)...)
	for i := 0; i < n; i++ {
		dst[i] = uint32(count(a.At(i)))
	}
	return dst
}

// Dice is the Sørensen–Dice coefficient 2|a∧b| / (|a|+|b|) of two vectors
// of the same size. Two empty vectors score 0: an all-zero filter carries no
// evidence, so it never matches anything, itself included.
func Dice(a, b []uint64) float64 {
	return DiceFromCounts(AndCount(a, b), count(a), count(b))
}

// DiceFromCounts is the Dice coefficient given |a∧b| and the popcounts of a
// and b (0 when both are empty).
func DiceFromCounts(and, ca, cb int) float64 {
	if ca+cb == 0 {
		return 0
	}
	return 2 * float64(and) / float64(ca+cb)
}

// Jaccard is |a∧b| / |a∨b|; two empty vectors score 0, as for Dice.
func Jaccard(a, b []uint64) float64 {
	and := AndCount(a, b)
	or := count(a) + count(b) - and
	if or == 0 {
		return 0
	}
	return float64(and) / float64(or)
}

// Hamming is the number of bit positions in which a and b differ:
// |a| + |b| - 2|a∧b|.
func Hamming(a, b []uint64) int {
	return count(a) + count(b) - 2*AndCount(a, b)
}

// Kernel names the code path the kernels take on this machine: "avx2",
// "popcnt", "generic" (amd64 without POPCNT) or "purego".
func Kernel() string { return kernelName() }
