package model

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

// benchDataset has n records with six 512-bit fields of ~40 random bits.
func benchDataset(n int, seed uint64) *encoding.Dataset {
	rng := rand.New(rand.NewPCG(seed, 7))
	d := &encoding.Dataset{RecordIDs: make([]string, n)}
	for _, name := range []string{"nome", "cognome", "data_nascita", "sesso", "indirizzo", "cap"} {
		col := encoding.FieldColumn{FieldSpec: encoding.FieldSpec{Name: name, Bits: 512}, Filters: bitvec.NewArena(n, 512), Present: make([]bool, n)}
		for i := range n {
			v := col.Filters.At(i)
			for range 40 {
				bitvec.Set(v, rng.IntN(512))
			}
			col.Present[i] = true
		}
		d.Fields = append(d.Fields, col)
	}
	return d
}

// BenchmarkCountN measures pattern counting of candidate pairs (six
// fields), the per-pair cost of model training and scoring.
func BenchmarkCountN(b *testing.B) {
	a, c2 := benchDataset(10_000, 1), benchDataset(10_000, 2)
	cmps := DefaultComparisons([]string{"nome", "cognome", "data_nascita", "sesso", "indirizzo", "cap"}, nil)
	c, err := NewComparer(cmps, a, c2)
	if err != nil {
		b.Fatal(err)
	}
	const n = 1 << 20
	pair := func(k int) (int, int) { return k % 10_000, (k * 7919) % 10_000 }
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.CountN(context.Background(), n, pair, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}
