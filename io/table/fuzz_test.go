package table

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/base"
)

// FuzzParquetReader feeds mutated Parquet files to the reader: it must never
// panic, and every failure must be an invalid-input error.
//
// Arrow IPC is not fuzzed here: arrow-go v18.8.0 trusts flatbuffer vector
// lengths in the schema message, so a few flipped bytes make it allocate
// hundreds of gigabytes (fatal, not recoverable) in ipc.fieldFromFB. The
// Arrow reader is tested on truncated and random files in TestCorruptFiles.
func FuzzParquetReader(f *testing.F) {
	rows, _ := pqRows(20)
	f.Add(writeParquet(f, rows))
	f.Add(writeParquet(f, rows, parquet.Compression(&parquet.Zstd), parquet.PageBufferSize(64)))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.parquet")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(p, Options{})
		if err == nil {
			_, err = readAllTolerant(r)
			r.Close()
		}
		if err != nil && !errors.Is(err, base.ErrInvalidInput) {
			t.Fatalf("error not marked invalid input: %v", err)
		}
	})
}
