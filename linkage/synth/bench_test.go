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

// BenchmarkWrite measures generation and CSV writing, in records/s.
func BenchmarkWrite(b *testing.B) {
	dir := b.TempDir()
	b.ReportAllocs()
	var records int64
	for b.Loop() {
		st, err := Write(b.Context(), Config{Households: 20000, Seed: 1}, dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		records += st.TotalRecords()
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
