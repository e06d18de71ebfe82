package encfile

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/welfare-district/swd/internal/rusage"
	"github.com/welfare-district/swd/linkage/encoding"
)

// benchRows is the size of the benchmark file: 100k records of the test
// layout (1024-bit CLK, four field filters, two block keys, three attributes).
const benchRows = 100_000

var sinkDataset *encoding.Dataset

// reportRates reports rows per wall-clock second and per CPU second (the
// latter is what one core achieves when the machine is not shared).
func reportRates(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	if cpu > 0 {
		b.ReportMetric(float64(benchRows*b.N)/cpu.Seconds(), "rows/cpu-s")
	}
}

func BenchmarkWrite(b *testing.B) {
	recs := randomRecords(rand.New(rand.NewPCG(10, 10)), testLayout, benchRows)
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := rusage.CPU()
	for b.Loop() {
		writeFile(b, filepath.Join(dir, "p.parquet"), testLayout, recs)
	}
	reportRates(b, rusage.CPU()-cpu0)
}

func BenchmarkRead(b *testing.B) {
	p := filepath.Join(b.TempDir(), "p.parquet")
	writeFile(b, p, testLayout, randomRecords(rand.New(rand.NewPCG(11, 11)), testLayout, benchRows))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := rusage.CPU()
	for b.Loop() {
		d, err := Read(context.Background(), p)
		if err != nil {
			b.Fatal(err)
		}
		sinkDataset = d
	}
	reportRates(b, rusage.CPU()-cpu0)
}

func BenchmarkScan(b *testing.B) {
	p := filepath.Join(b.TempDir(), "p.parquet")
	writeFile(b, p, testLayout, randomRecords(rand.New(rand.NewPCG(12, 12)), testLayout, benchRows))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := rusage.CPU()
	for b.Loop() {
		n := 0
		if err := Scan(context.Background(), p, func(*encoding.Record) error { n++; return nil }); err != nil || n != benchRows {
			b.Fatal(err, n)
		}
	}
	reportRates(b, rusage.CPU()-cpu0)
}
