package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/welfare-district/swd/internal/rusage"
	"github.com/welfare-district/swd/internal/testdirs"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
	"github.com/welfare-district/swd/linkage/synth"
)

func TestRunEncode(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stream bool
		out    bool
	}{
		{"in memory", false, false},
		{"streamed, written", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := EncodeConfig{Rows: 300, Workers: 2, Stream: tc.stream, Seed: 3, Repeats: 1}
			if tc.out {
				cfg.Out = filepath.Join(t.TempDir(), "synth.swd.parquet")
			}
			res, err := RunEncode(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows != 300 || res.RecordsPerSec <= 0 || res.RecordsPerCPUSec <= 0 {
				t.Fatalf("result %+v", res)
			}
			if !tc.out {
				return
			}
			meta, _, err := encfile.ReadMeta(cfg.Out)
			if err != nil {
				t.Fatal(err)
			}
			if meta.Rows != 300 || res.FileBytes <= 0 {
				t.Fatalf("file has %d rows, result says %d bytes", meta.Rows, res.FileBytes)
			}
		})
	}
}

// BenchmarkEncodeSynth is the encoding throughput on the synth schema
// (docs/examples/synth/schema.yaml, names salted with the birth year) over
// 50,000 synth partner rows held in memory: records/s of wall-clock time
// and per CPU-second, with 1 and 2 workers, without output ("encode") and
// writing the encoded Parquet file ("encode+write"). bench/encode is the
// same measurement as a command, except that it runs at GC percent 400 by
// default (-gogc) and this benchmark at Go's default (GOGC), which costs
// it some throughput: the rows held in memory are rescanned.
func BenchmarkEncodeSynth(b *testing.B) {
	root, err := testdirs.FindModuleRoot()
	if err != nil {
		b.Fatal(err)
	}
	s, err := schema.Load(filepath.Join(root, "docs/examples/synth/schema.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	rows, err := generateRows(EncodeConfig{Rows: 50000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	var secret encoding.Secret
	secret[0] = 1
	for _, write := range []bool{false, true} {
		for _, workers := range []int{1, 2} {
			name := fmt.Sprintf("encode/workers=%d", workers)
			if write {
				name = fmt.Sprintf("encode+write/workers=%d", workers)
			}
			b.Run(name, func(b *testing.B) {
				enc, err := encoding.New(s, secret, "bench", encoding.WithWorkers(workers))
				if err != nil {
					b.Fatal(err)
				}
				out := filepath.Join(b.TempDir(), "synth.swd.parquet")
				n, cpu0 := 0, rusage.CPU()
				for b.Loop() {
					o := encoding.Output{Record: func(string, *encoding.Record) error { return nil }}
					var w *encfile.Writer
					if write {
						if w, err = encfile.Create(out, enc.Layout(), "bench"); err != nil {
							b.Fatal(err)
						}
						o.Record = func(_ string, r *encoding.Record) error { return w.Write(r) }
					}
					st, err := enc.Encode(context.Background(), synth.Columns, encoding.NewRows(rows), o)
					if err == nil && w != nil {
						err = w.Commit(enc.Meta(st))
					}
					if err != nil {
						b.Fatal(err)
					}
					n += st.Encoded
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
				b.ReportMetric(float64(n)/(rusage.CPU()-cpu0).Seconds(), "records/cpu-s")
			})
		}
	}
}
