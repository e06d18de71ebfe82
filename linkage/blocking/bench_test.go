package blocking

import (
	"context"
	"fmt"
	"testing"

	"github.com/welfare-district/swd/linkage/encoding"
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

// BenchmarkCandidatesCompactMany measures the blocking of four datasets'
// ten jobs together (BlocksMany, band by band) on one and on two
// goroutines: the blocking phase of swd link.
func BenchmarkCandidatesCompactMany(b *testing.B) {
	var ds []*encoding.Dataset
	for s := range uint64(2) {
		x, y, _ := clkPairs(11+s, 8_000+4_000*int(s), 1024, 0.3, 0.03)
		ds = append(ds, x, y)
	}
	var jobs []Job
	for i := range ds {
		for j := i; j < len(ds); j++ {
			jobs = append(jobs, Job{i, j})
		}
	}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			cfg := benchConfig()
			cfg.Workers = w
			for b.Loop() {
				cs, _, err := CandidatesCompactMany(context.Background(), ds, jobs, cfg, nil)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for _, c := range cs {
					n += c.Len()
				}
				b.ReportMetric(float64(n), "pairs")
			}
		})
	}
}
