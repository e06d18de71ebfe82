package encfile

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/welfare-district/swd/internal/bitvec"
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

// synthLayout is the layout of docs/examples/synth/schema.yaml: a 1024-bit
// CLK, nine field filters of 8 to 64 bytes, four blocking keys and three
// attributes.
var synthLayout = encoding.Layout{
	CLKBits: 1024,
	Fields: []encoding.FieldSpec{
		{Name: "fiscal_code", Bits: 256}, {Name: "given_name", Bits: 512}, {Name: "surname", Bits: 512},
		{Name: "sex", Bits: 64}, {Name: "birth_date", Bits: 256}, {Name: "birth_place", Bits: 256},
		{Name: "address", Bits: 512}, {Name: "postcode", Bits: 128}, {Name: "phone", Bits: 256},
	},
	BlockKeys: []string{"surname_year", "given_year", "fiscal_code", "birth_date_postcode"},
	Attrs:     []string{"district", "needs", "household"},
}

// synthDistinct is, per field of synthLayout, how many distinct filters
// the field takes in a synth export (0: every record its own), so that
// compression sees the repetition real files have (two sexes, a few
// hundred birth places and postcodes).
var synthDistinct = []int{0, 3000, 5000, 2, 20000, 300, 0, 60, 0}

// synthKeyDistinct is, per blocking key, how many distinct keys there are
// (soundex and year repeat; fiscal codes and birth date with postcode
// hardly do).
var synthKeyDistinct = []int{15000, 8000, 0, 0}

// synthRecords makes n records shaped like `swd encode` output on a synth
// export: filters with ~30% of their bits set, ~10% of fields, keys and
// attributes missing, 20-character hex blocking keys, short attributes.
func synthRecords(rng *rand.Rand, n int) []encoding.Record {
	l := synthLayout
	filter := func(bits int) []uint64 {
		v := make([]uint64, bitvec.WordsFor(bits))
		for i := range v {
			// P(bit) = 1/4 + 3/4 * 1/16 ≈ 0.30
			v[i] = rng.Uint64()&rng.Uint64() | rng.Uint64()&rng.Uint64()&rng.Uint64()&rng.Uint64()
		}
		if r := bits % 64; r != 0 {
			v[len(v)-1] &= 1<<uint(r) - 1
		}
		return v
	}
	pools := make([][][]uint64, len(l.Fields))
	for j, d := range synthDistinct {
		for range d {
			pools[j] = append(pools[j], filter(l.Fields[j].Bits))
		}
	}
	hex := func() string { return fmt.Sprintf("%016x%04x", rng.Uint64(), rng.Uint32()>>16) }
	keyPools := make([][]string, len(synthKeyDistinct))
	for j, d := range synthKeyDistinct {
		for range d {
			keyPools[j] = append(keyPools[j], hex())
		}
	}
	districts := []string{"centro", "nord", "sud", "est", "ovest", "collina"}
	recs := make([]encoding.Record, n)
	for i := range recs {
		r := &recs[i]
		r.RecordID = fmt.Sprintf("C%07d", i+1)
		r.CLK = filter(l.CLKBits)
		r.Fields = make([][]uint64, len(l.Fields))
		for j, f := range l.Fields {
			switch {
			case rng.IntN(10) == 0:
			case synthDistinct[j] > 0:
				r.Fields[j] = pools[j][rng.IntN(synthDistinct[j])]
			default:
				r.Fields[j] = filter(f.Bits)
			}
		}
		r.BlockKeys = make([]string, len(l.BlockKeys))
		for j := range r.BlockKeys {
			switch {
			case rng.IntN(10) == 0:
			case synthKeyDistinct[j] > 0:
				r.BlockKeys[j] = keyPools[j][rng.IntN(synthKeyDistinct[j])]
			default:
				r.BlockKeys[j] = hex()
			}
		}
		r.Attrs = make([]string, len(l.Attrs))
		if rng.IntN(10) > 0 {
			r.Attrs[0] = districts[rng.IntN(len(districts))]
		}
		if rng.IntN(10) > 0 {
			r.Attrs[1] = fmt.Sprintf("A%02d;B%02d", rng.IntN(20), rng.IntN(12))
		}
		if rng.IntN(10) > 0 {
			r.Attrs[2] = fmt.Sprintf("N%06d", rng.IntN(10_000))
		}
	}
	return recs
}

// BenchmarkWriteSynth measures the writer alone on synth-shaped records:
// ns/record is what the single writer goroutine of `swd encode` costs per
// record (cpu-ns/record includes the garbage collector's work on other
// threads). "legacy" is the parquet-go writer it replaced, for comparison
// in the same run:
//
//	go test -run '^$' -bench WriteSynth -benchtime 10x -count 6 ./io/encfile/
func BenchmarkWriteSynth(b *testing.B) {
	recs := synthRecords(rand.New(rand.NewPCG(13, 13)), benchRows)
	for _, bc := range []struct {
		name  string
		write func(b *testing.B, path string)
	}{
		{"pages", func(b *testing.B, p string) { writeFile(b, p, synthLayout, recs) }},
		{"legacy", func(b *testing.B, p string) { legacyWriteFile(b, p, synthLayout, recs, fastSnappy{}) }},
		// The string codecs not chosen (see stringCodec).
		{"pages-strings=zstd-default", func(b *testing.B, p string) {
			defer func(c compress.Codec) { stringCodec = c }(stringCodec)
			stringCodec = &zstd.Codec{Level: zstd.SpeedDefault}
			writeFile(b, p, synthLayout, recs)
		}},
		{"pages-strings=snappy", func(b *testing.B, p string) {
			defer func(c compress.Codec) { stringCodec = c }(stringCodec)
			stringCodec = fastSnappy{}
			writeFile(b, p, synthLayout, recs)
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := filepath.Join(b.TempDir(), "p.parquet")
			b.ReportAllocs()
			cpu0 := rusage.CPU()
			for b.Loop() {
				bc.write(b, p)
			}
			cpu := rusage.CPU() - cpu0
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(benchRows*b.N), "ns/record")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(benchRows*b.N), "cpu-ns/record")
			if st, err := os.Stat(p); err == nil {
				b.ReportMetric(float64(st.Size())/benchRows, "bytes/record")
			}
		})
	}
}
