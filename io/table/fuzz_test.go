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
func FuzzParquetReader(f *testing.F) {
	rows, _ := pqRows(20)
	f.Add(writeParquet(f, rows))
	f.Add(writeParquet(f, rows, parquet.Compression(&parquet.Zstd), parquet.PageBufferSize(64)))
	f.Add(leakParquet(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		readsOrRejects(t, filepath.Join(t.TempDir(), "f.parquet"), data)
	})
}

// FuzzArrowReader feeds mutated Arrow IPC files and streams (plain, zstd,
// lz4, nested) to the reader: it must never panic or die out of memory, and
// every failure must be an invalid-input error. arrow-go v18.8.0 trusts the
// lengths in the flatbuffer metadata and allocates from them, so before
// checkArrow a few flipped bytes made it allocate hundreds of gigabytes in
// ipc.fieldFromFB; run it under a memory limit, e.g.
//
//	(ulimit -v 4000000; go test -run '^$' -fuzz FuzzArrowReader -fuzztime 60s -parallel 1 ./io/table/)
func FuzzArrowReader(f *testing.F) {
	for _, seed := range arrowSeeds(f) {
		f.Add(seed)
	}
	file, stream := leakArrow(f)
	f.Add(file)
	f.Add(stream)
	f.Fuzz(func(t *testing.T, data []byte) {
		readsOrRejects(t, filepath.Join(t.TempDir(), "f.arrow"), data)
	})
}

// readsOrRejects writes data to path and reads it as a table: reading may
// fail, but only with an invalid-input error that quotes none of the
// input (leakMarker), and never panic.
func readsOrRejects(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{})
	if err == nil {
		_, err = readAllTolerant(r)
		r.Close()
	}
	if err != nil && !errors.Is(err, base.ErrInvalidInput) {
		t.Fatalf("error not marked invalid input: %v", err)
	}
	if err != nil {
		assertNoMarker(t, path, err.Error())
	}
}
