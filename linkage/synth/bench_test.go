package synth

import "testing"

// BenchmarkGenerate measures generation without I/O, in records/s.
func BenchmarkGenerate(b *testing.B) {
	g, err := NewGenerator(Config{Households: b.N, Seed: 1, Corruption: LevelLow})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	records := 0
	for range b.N {
		_, rows := g.Next()
		records += len(rows)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
