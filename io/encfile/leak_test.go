package encfile

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/welfare-district/swd/internal/leaktest"
	"github.com/welfare-district/swd/linkage/encoding"
)

// TestErrorsQuoteNoInput plants a marker in the record ids, blocking keys
// and attributes of an encoded file, corrupts it (cut at many lengths,
// bytes flipped, the data pages overwritten with the marker) and checks
// that no error of ReadMeta, Read or Scan quotes it.
func TestErrorsQuoteNoInput(t *testing.T) {
	n := 80 // corruptions of each kind
	if testing.Short() {
		n = 40
	}
	recs := randomRecords(rand.New(rand.NewPCG(6, 6)), testLayout, 60)
	for i := range recs {
		recs[i].RecordID = leaktest.Marker
		for j := range recs[i].BlockKeys {
			recs[i].BlockKeys[j] = leaktest.Marker
		}
		for j := range recs[i].Attrs {
			recs[i].Attrs[j] = leaktest.Marker + leaktest.Marker
		}
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.swd.parquet")
	writeFile(t, good, testLayout, recs)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// The footer holds column names and metadata, which errors may name;
	// the marker overwrites only the data pages.
	footer := len(data) - 8 - int(binary.LittleEndian.Uint32(data[len(data)-8:]))
	path := filepath.Join(dir, "corrupt.swd.parquet")
	failed := 0
	cases := leaktest.Corruptions(data, n, 4, footer)
	for i, c := range cases {
		if err := os.WriteFile(path, c, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := ReadMeta(path)
		_, rerr := Read(context.Background(), path)
		serr := Scan(context.Background(), path, func(*encoding.Record) error { return nil })
		for _, e := range []error{err, rerr, serr} {
			if e != nil {
				failed++
				leaktest.AssertNoMarker(t, "case "+string(rune('0'+i%10)), e.Error())
			}
		}
	}
	if failed < len(cases)/2 {
		t.Fatalf("only %d errors from %d corrupt files: the test proves little", failed, len(cases))
	}
}
