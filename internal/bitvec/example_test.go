package bitvec_test

import (
	"fmt"

	"github.com/welfare-district/swd/internal/bitvec"
)

func ExampleDice() {
	a, b := make([]uint64, 2), make([]uint64, 2) // two 128-bit filters
	for _, k := range []int{1, 5, 64, 100} {
		bitvec.Set(a, k)
	}
	for _, k := range []int{1, 5, 64, 127} {
		bitvec.Set(b, k)
	}
	fmt.Println(bitvec.AndCount(a, b), bitvec.Dice(a, b), bitvec.Hamming(a, b))
	// Output: 3 0.75 2
}

func ExampleAndCountBatch() {
	arena := bitvec.NewArena(3, 256) // three candidates
	bitvec.Set(arena.At(0), 7)
	bitvec.Set(arena.At(2), 7)
	bitvec.Set(arena.At(2), 200)
	q := make([]uint64, arena.Words)
	bitvec.Set(q, 7)
	bitvec.Set(q, 200)
	counts := make([]uint32, arena.Len())
	largest := bitvec.AndCountBatch(q, arena.Data, arena.Words, counts)
	fmt.Println(counts, largest)
	// Output: [1 0 2] 2
}
