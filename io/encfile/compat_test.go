package encfile

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/bitvec"
)

// TestGenericParquetReader reads an encoded file with parquet-go's generic
// row reader, knowing nothing of swd, and checks bit order and nulls.
func TestGenericParquetReader(t *testing.T) {
	recs := randomRecords(rand.New(rand.NewPCG(3, 3)), testLayout, 50)
	p := filepath.Join(t.TempDir(), "p.swd.parquet")
	writeFile(t, p, testLayout, recs)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := pf.Lookup(KeyPartner); !ok || v != "caritas" {
		t.Fatalf("partner metadata %q %v", v, ok)
	}
	r := parquet.NewReader(pf)
	defer r.Close()
	for i := range recs {
		row := map[string]any{}
		if err := r.Read(&row); err != nil {
			t.Fatal(err)
		}
		if row["partner"] != "caritas" || row["record_id"] != recs[i].RecordID {
			t.Fatalf("row %d: %v %v", i, row["partner"], row["record_id"])
		}
		clk, _ := row["clk"].([]byte)
		if len(clk) != testLayout.CLKBits/8 {
			t.Fatalf("row %d: clk %T of %d bytes", i, row["clk"], len(clk))
		}
		for k := 0; k < testLayout.CLKBits; k++ {
			if bitvec.Get(recs[i].CLK, k) != (clk[k/8]>>(k%8)&1 == 1) {
				t.Fatalf("row %d: bit %d differs: bit k must be bit k%%8 of byte k/8", i, k)
			}
		}
		if (recs[i].Fields[0] == nil) != (row["f_nome"] == nil) {
			t.Fatalf("row %d: f_nome null %v, want %v", i, row["f_nome"] == nil, recs[i].Fields[0] == nil)
		}
	}
}
