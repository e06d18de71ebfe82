//go:build amd64 && !purego

package bitvec

import "golang.org/x/sys/cpu"

// Dispatch state, set once from CPUID. Tests flip these to run every path
// on the same machine.
var (
	usePOPCNT = cpu.X86.HasPOPCNT
	useAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasPOPCNT
)

// avx2MinWords is the length from which a single AND+popcount goes through
// the vector loop; below it the call and reduction overhead outweighs it.
const avx2MinWords = 32

// countPOPCNT returns the number of set bits in the n words at a.
//
//go:noescape
func countPOPCNT(a *uint64, n int) int

// andCountPOPCNT returns |a ∧ b| over n words.
//
//go:noescape
func andCountPOPCNT(a, b *uint64, n int) int

// andCountBatchAVX2 writes |q ∧ c_k| to dst[k] for the n vectors c_k of
// words words at arena and returns the largest: blocks of 256 bits with a
// nibble-LUT (VPSHUFB) popcount, the words%4 tail with POPCNT. words >= 1.
//
//go:noescape
func andCountBatchAVX2(q *uint64, words int, arena *uint64, n int, dst *uint32) uint32

// andCountBatch16AVX2 is andCountBatchAVX2 for words == 16 (1024-bit
// filters) and n a multiple of 4: the query stays in four YMM registers and
// four candidates are reduced together.
//
//go:noescape
func andCountBatch16AVX2(q *uint64, arena *uint64, n int, dst *uint32) uint32

func kernelName() string {
	switch {
	case useAVX2:
		return "avx2"
	case usePOPCNT:
		return "popcnt"
	}
	return "generic"
}

func count(a []uint64) int {
	if usePOPCNT && len(a) > 0 {
		return countPOPCNT(&a[0], len(a))
	}
	return countRef(a)
}

func andCount(a, b []uint64) int {
	n := len(a)
	if n == 0 {
		return 0
	}
	b = b[:n]
	switch {
	case useAVX2 && n >= avx2MinWords:
		var c uint32
		andCountBatchAVX2(&a[0], n, &b[0], 1, &c)
		return int(c)
	case usePOPCNT:
		return andCountPOPCNT(&a[0], &b[0], n)
	}
	return andCountRef(a, b)
}

func andCountBatch(q, arena []uint64, words int, dst []uint32) uint32 {
	n := len(dst)
	if n == 0 || words == 0 {
		return andCountBatchRef(q, arena, words, dst)
	}
	arena = arena[:n*words]
	q = q[:words]
	switch {
	case useAVX2 && words == 16:
		var m uint32
		n4 := n &^ 3
		if n4 > 0 {
			m = andCountBatch16AVX2(&q[0], &arena[0], n4, &dst[0])
		}
		if n4 < n {
			m = max(m, andCountBatchAVX2(&q[0], words, &arena[n4*words], n-n4, &dst[n4]))
		}
		return m
	case useAVX2 && words >= 4:
		return andCountBatchAVX2(&q[0], words, &arena[0], n, &dst[0])
	case usePOPCNT:
		var m uint32
		for k := range dst {
			c := uint32(andCountPOPCNT(&q[0], &arena[k*words], words))
			dst[k] = c
			m = max(m, c)
		}
		return m
	}
	return andCountBatchRef(q, arena, words, dst)
}

// UseAssembly turns the assembly kernels on (as far as the CPU allows) or
// off and reports whether they were on. It exists for tests and benchmarks
// that compare the paths; it is not safe to call while kernels are running.
func UseAssembly(on bool) (was bool) {
	was = useAVX2 || usePOPCNT
	usePOPCNT = on && cpu.X86.HasPOPCNT
	useAVX2 = on && cpu.X86.HasAVX2 && cpu.X86.HasPOPCNT
	return was
}
