package bench

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/welfare-district/swd/io/encfile"
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
