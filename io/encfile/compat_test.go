package encfile

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/format"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

// TestGenericParquetReader reads an encoded file with parquet-go's generic
// row reader, knowing nothing of swd, and checks bit order and nulls.
func TestGenericParquetReader(t *testing.T) {
	recs := randomRecords(rand.New(rand.NewPCG(3, 3)), testLayout, 50)
	p := filepath.Join(t.TempDir(), "p.swd.parquet")
	writeFile(t, p, testLayout, recs)
	pf := openParquet(t, p)
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

// TestColumnCodecs checks that filter columns are stored with Snappy and
// the other columns with zstd, and that files written by the writers of
// older versions (parquet-go's generic writer, with zstd on every column
// before 2026-11-20, then Snappy on the filters) still read into the same
// records.
func TestColumnCodecs(t *testing.T) {
	recs := randomRecords(rand.New(rand.NewPCG(4, 4)), testLayout, 300)
	dir := t.TempDir()
	for _, tc := range []struct {
		name       string
		legacy     compress.Codec // filter codec of the legacy writer; nil: the current writer
		wantFilter format.CompressionCodec
	}{
		{"current", nil, format.Snappy},
		{"legacy snappy filters", fastSnappy{}, format.Snappy},
		{"legacy all-zstd", &parquet.Zstd, format.Zstd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".swd.parquet")
			if tc.legacy == nil {
				writeFile(t, p, testLayout, recs)
			} else {
				legacyWriteFile(t, p, testLayout, recs, tc.legacy)
			}
			pf := openParquet(t, p)
			for _, rg := range pf.Metadata().RowGroups {
				for _, cc := range rg.Columns {
					name := cc.MetaData.PathInSchema[0]
					want := format.Zstd
					if name == ColCLK || strings.HasPrefix(name, PrefixField) {
						want = tc.wantFilter
					}
					if cc.MetaData.Codec != want {
						t.Errorf("column %s: codec %v, want %v", name, cc.MetaData.Codec, want)
					}
				}
			}
			d, err := Read(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if d.Len() != len(recs) {
				t.Fatalf("read %d records, want %d", d.Len(), len(recs))
			}
			for i := range recs {
				checkRecord(t, i, &recs[i], datasetRecord(d, i))
			}
			i := 0
			err = Scan(context.Background(), p, func(r *encoding.Record) error {
				checkRecord(t, i, &recs[i], r)
				i++
				return nil
			})
			if err != nil || i != len(recs) {
				t.Fatalf("scan: %d records, %v", i, err)
			}
		})
	}
}
