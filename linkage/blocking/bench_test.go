package blocking

import (
	"context"
	"testing"
)

func benchConfig() Config {
	return Config{Passes: []Pass{LSH{Bands: 48, BitsPerBand: 20, Seed: 7}}}
}

// BenchmarkCandidates measures blocking into a sorted []Pair (8 bytes a
// pair).
func BenchmarkCandidates(b *testing.B) {
	da, db, _ := clkPairs(11, 8_000, 1024, 0.3, 0.03)
	cfg := benchConfig()
	b.ResetTimer()
	for b.Loop() {
		c, _, err := Candidates(context.Background(), da, db, cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(c)), "pairs")
	}
}

// BenchmarkCandidatesCompact measures blocking into a CompactPairs.
func BenchmarkCandidatesCompact(b *testing.B) {
	da, db, _ := clkPairs(11, 8_000, 1024, 0.3, 0.03)
	cfg := benchConfig()
	b.ResetTimer()
	for b.Loop() {
		c, _, err := CandidatesCompact(context.Background(), da, db, cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(c.Len()), "pairs")
		b.ReportMetric(float64(c.Bytes())/float64(max(1, c.Len())), "bytes/pair")
	}
}
