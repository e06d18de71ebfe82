package encfile

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	pqfile "github.com/apache/arrow-go/v18/parquet/file"

	"github.com/welfare-district/swd/linkage/encoding"
)

// TestArrowParquetReadsWriterOutput reads files of the page writer with
// Apache Arrow's Parquet implementation (arrow-go's parquet/file column
// readers, which share no code with the writer or with parquet-go; not
// pqarrow, which would pull in gRPC) and compares every value and
// null with what was written: several pages and row groups per column,
// missing fields, records without blocking keys or attributes, empty ids.
// This is the "any Parquet tool reads it" promise of docs/format.md,
// tested rather than checked once by hand.
func TestArrowParquetReadsWriterOutput(t *testing.T) {
	smallPages(t, 700, 4<<10)
	rng := rand.New(rand.NewPCG(31, 31))
	for _, n := range []int{1, 2500} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			recs := synthRecords(rng, n)
			for i := range recs {
				switch rng.IntN(20) {
				case 0:
					recs[i].BlockKeys = nil
				case 1:
					recs[i].Attrs = nil
				case 2:
					recs[i].RecordID = ""
				}
			}
			p := filepath.Join(t.TempDir(), "s.swd.parquet")
			writeFile(t, p, synthLayout, recs)
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rdr, err := pqfile.NewParquetReader(f)
			if err != nil {
				t.Fatalf("Arrow cannot open the file: %v", err)
			}
			defer rdr.Close()
			if rdr.NumRows() != int64(n) {
				t.Fatalf("Arrow reads %d rows, want %d", rdr.NumRows(), n)
			}
			cols, _ := columns(synthLayout)
			if got := rdr.MetaData().Schema.NumColumns(); got != len(cols) {
				t.Fatalf("Arrow sees %d columns, want %d", got, len(cols))
			}
			for ci, c := range cols {
				if got := rdr.MetaData().Schema.Column(ci).Name(); got != c.name {
					t.Fatalf("column %d is %q, want %q", ci, got, c.name)
				}
				row := 0
				for g := range rdr.NumRowGroups() {
					cr, err := rdr.RowGroup(g).Column(ci)
					if err != nil {
						t.Fatalf("%s, row group %d: %v", c.name, g, err)
					}
					vals, defs := arrowColumn(t, cr, rdr.RowGroup(g).NumRows())
					v := 0
					for _, d := range defs {
						want, null := expected(&recs[row], c)
						if (d == 0) != null {
							t.Fatalf("%s row %d: Arrow null %v, want %v", c.name, row, d == 0, null)
						}
						if !null {
							if vals[v] != want {
								t.Fatalf("%s row %d: Arrow reads other bytes", c.name, row)
							}
							v++
						}
						row++
					}
				}
				if row != n {
					t.Fatalf("%s: %d values, want %d", c.name, row, n)
				}
			}
		})
	}
}

// expected is what column c holds for rec: its bytes, or null.
func expected(rec *encoding.Record, c column) (string, bool) {
	filter := func(v []uint64) string {
		b := make([]byte, 8*len(v))
		for i, w := range v {
			binary.LittleEndian.PutUint64(b[8*i:], w)
		}
		return string(b[:c.bytes])
	}
	switch c.kind {
	case kindPartner:
		return "caritas", false
	case kindRecordID:
		return rec.RecordID, false
	case kindCLK:
		return filter(rec.CLK), false
	case kindField:
		if rec.Fields[c.index] == nil {
			return "", true
		}
		return filter(rec.Fields[c.index]), false
	case kindBlock:
		if rec.BlockKeys == nil || rec.BlockKeys[c.index] == "" {
			return "", true
		}
		return rec.BlockKeys[c.index], false
	default:
		if rec.Attrs == nil || rec.Attrs[c.index] == "" {
			return "", true
		}
		return rec.Attrs[c.index], false
	}
}

// arrowColumn reads a column chunk of rows rows: its non-null values and
// one definition level per row (1 for required columns).
func arrowColumn(t *testing.T, cr pqfile.ColumnChunkReader, rows int64) ([]string, []int16) {
	defs := make([]int16, rows)
	var out []string
	switch r := cr.(type) {
	case *pqfile.ByteArrayColumnChunkReader:
		out = readBatches(t, rows, defs, r.ReadBatch)
	case *pqfile.FixedLenByteArrayColumnChunkReader:
		out = readBatches(t, rows, defs, r.ReadBatch)
	default:
		t.Fatalf("unexpected column reader %T", cr)
	}
	if cr.Descriptor().MaxDefinitionLevel() == 0 {
		for i := range defs {
			defs[i] = 1
		}
	}
	return out, defs
}

// readBatches calls a typed ReadBatch until rows rows are read, filling
// defs, and returns the values as strings.
func readBatches[V ~[]byte](t *testing.T, rows int64, defs []int16,
	read func(int64, []V, []int16, []int16) (int64, int, error)) []string {
	t.Helper()
	vals := make([]V, rows)
	var out []string
	for total := int64(0); total < rows; {
		n, nv, err := read(rows-total, vals, defs[total:], nil)
		if err != nil || n == 0 {
			t.Fatalf("reading %d of %d rows: %v", total, rows, err)
		}
		for _, b := range vals[:nv] {
			out = append(out, string(b))
		}
		total += n
	}
	return out
}
