//go:build !amd64 || purego

package bitvec

// Without assembly every entry point runs the reference loop, which the
// compiler turns into POPCNT where the target has it.

// kernelName names the path the batch kernel takes (for benchmarks and
// reports).
func kernelName() string { return "purego" }

func count(a []uint64) int { return countRef(a) }

func andCount(a, b []uint64) int { return andCountRef(a, b) }

func andCountBatch(q, arena []uint64, words int, dst []uint32) uint32 {
	return andCountBatchRef(q, arena, words, dst)
}

// UseAssembly is a no-op without assembly kernels; it reports false.
func UseAssembly(bool) bool { return false }
