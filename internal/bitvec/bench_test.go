package bitvec

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

var sinkInt int

var benchCands = 4096

var benchBits = []int{64, 128, 256, 512, 1024, 2048, 4096}

func randomArena(r *rand.Rand, n, bits int) Arena {
	a := NewArena(n, bits)
	for i := range a.Data {
		a.Data[i] = r.Uint64()
	}
	return a
}

// BenchmarkAndCountBatch is the one-vs-many kernel: one query against 4096
// candidates per op.
func BenchmarkAndCountBatch(b *testing.B) {
	cands := benchCands
	r := rand.New(rand.NewPCG(1, 2))
	for _, bits := range benchBits {
		b.Run(fmt.Sprintf("bits=%d", bits), func(b *testing.B) {
			arena := randomArena(r, cands+1, bits)
			q, c := arena.At(cands), Arena{Words: arena.Words, Data: arena.Data[:cands*arena.Words]}
			dst := make([]uint32, cands)
			b.SetBytes(int64(cands * 8 * arena.Words))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				AndCountBatch(q, c.Data, c.Words, dst)
			}
			sinkInt = int(dst[0])
			b.ReportMetric(float64(b.N)*float64(cands)/b.Elapsed().Seconds(), "pairs/s")
		})
	}
}

// BenchmarkDice is the pairwise path (blocked candidate pairs).
func BenchmarkDice(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, bits := range benchBits {
		b.Run(fmt.Sprintf("bits=%d", bits), func(b *testing.B) {
			arena := randomArena(r, 2, bits)
			x, y := arena.At(0), arena.At(1)
			b.SetBytes(int64(2 * 8 * arena.Words))
			b.ReportAllocs()
			var s float64
			b.ResetTimer()
			for b.Loop() {
				s += Dice(x, y)
			}
			sinkInt = int(s)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
		})
	}
}
