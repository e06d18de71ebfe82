package match

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/welfare-district/swd/internal/bitvec"
)

var sinkMatches int64

func randomFilters(seed uint64, n, bits int) bitvec.Arena {
	r := rand.New(rand.NewPCG(seed, 1))
	a := bitvec.NewArena(n, bits)
	for i := range a.Data {
		a.Data[i] = r.Uint64()
	}
	return a
}

// BenchmarkSearch: 256 queries against 8192 random 50%-density filters at
// threshold 0.8 (the cardinality filter prunes almost nothing there, so
// this is the kernel plus the matcher's bookkeeping).
func BenchmarkSearch(b *testing.B) {
	const n, m = 256, 8192
	for _, bits := range []int{64, 256, 512, 1024, 2048, 4096} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("bits=%d/workers=%d", bits, workers), func(b *testing.B) {
				a, c := randomFilters(1, n, bits), randomFilters(2, m, bits)
				ix := NewIndex(c)
				b.SetBytes(int64(n * m * bits / 8)) // candidate bytes streamed per op
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					st, err := Search(context.Background(), a, ix, func([]Match) error { return nil },
						Threshold(0.8), Workers(workers))
					if err != nil {
						b.Fatal(err)
					}
					sinkMatches += st.Matches
				}
				b.ReportMetric(float64(b.N)*n*m/b.Elapsed().Seconds(), "pairs/s")
			})
		}
	}
}

func BenchmarkScorePairs(b *testing.B) {
	const n, pairs = 4096, 1 << 14
	a, c := randomFilters(3, n, 1024), randomFilters(4, n, 1024)
	r := rand.New(rand.NewPCG(5, 6))
	ps := make([]Pair, pairs)
	for k := range ps {
		ps[k] = Pair{I: uint32(r.IntN(n)), J: uint32(r.IntN(n))}
	}
	dst := make([]float32, 0, pairs)
	b.SetBytes(pairs * 2 * 128)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		dst = ScorePairs(a, c, ps, dst[:0])
	}
	sinkMatches += int64(len(dst))
	b.ReportMetric(float64(b.N)*pairs/b.Elapsed().Seconds(), "pairs/s")
}
