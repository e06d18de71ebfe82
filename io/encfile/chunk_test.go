package encfile

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/welfare-district/swd/linkage/encoding"
)

// smallPages lowers the row-group and page sizes so that small tests cross
// both boundaries many times, pages end mid-group and the writer skips
// compression of incompressible filter pages.
func smallPages(t *testing.T, rows, bytes int) {
	t.Helper()
	oldRows, oldBytes := rowGroupRows, pageBytes
	t.Cleanup(func() { rowGroupRows, pageBytes = oldRows, oldBytes })
	rowGroupRows, pageBytes = rows, bytes
}

// openParquet opens path with parquet-go alone.
func openParquet(t *testing.T, path string) *parquet.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	return pf
}

// TestWriterRoundTripSynth writes synth-shaped records (missing fields,
// keys and attributes, nil key and attribute slices) across many pages and
// row groups and reads them back, record for record, with Read and Scan.
func TestWriterRoundTripSynth(t *testing.T) {
	smallPages(t, 700, 4<<10)
	rng := rand.New(rand.NewPCG(21, 21))
	for _, n := range []int{1, 699, 700, 701, 3000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			recs := synthRecords(rng, n)
			for i := range recs {
				switch rng.IntN(20) {
				case 0:
					recs[i].BlockKeys = nil // no keys at all: all null
				case 1:
					recs[i].Attrs = nil
				case 2:
					recs[i].RecordID = "" // required, but may be empty
				}
			}
			p := filepath.Join(t.TempDir(), "s.swd.parquet")
			writeFile(t, p, synthLayout, recs)
			checkRowGroups(t, p, n)
			d, err := Read(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if d.Len() != n {
				t.Fatalf("read %d records, want %d", d.Len(), n)
			}
			for i := range recs {
				checkRecord(t, i, normalised(&recs[i]), datasetRecord(d, i))
			}
			groups, err := RowGroups(p)
			if err != nil {
				t.Fatal(err)
			}
			row := 0
			for g, rows := range groups {
				gd, err := ReadRowGroup(context.Background(), p, g)
				if err != nil {
					t.Fatal(err)
				}
				if int64(gd.Len()) != rows || gd.Meta.Partner != d.Meta.Partner || gd.Meta.SchemaFingerprint != d.Meta.SchemaFingerprint {
					t.Fatalf("row group %d: %d records, want %d", g, gd.Len(), rows)
				}
				for k := range gd.Len() {
					checkRecord(t, row, normalised(&recs[row]), datasetRecord(gd, k))
					row++
				}
			}
			if row != n {
				t.Fatalf("row groups hold %d records, want %d", row, n)
			}
			if _, err := ReadRowGroup(context.Background(), p, len(groups)); err == nil {
				t.Fatal("a row group past the last was read")
			}
			i := 0
			err = Scan(context.Background(), p, func(r *encoding.Record) error {
				checkRecord(t, i, normalised(&recs[i]), r)
				i++
				return nil
			})
			if err != nil || i != n {
				t.Fatalf("scan: %d records, %v", i, err)
			}
		})
	}
}

// normalised is rec as a reader returns it: nil key and attribute slices
// read as empty strings.
func normalised(rec *encoding.Record) *encoding.Record {
	r := *rec
	if r.BlockKeys == nil {
		r.BlockKeys = make([]string, len(synthLayout.BlockKeys))
	}
	if r.Attrs == nil {
		r.Attrs = make([]string, len(synthLayout.Attrs))
	}
	return &r
}

// TestWriterMatchesLegacy checks that the writer and the parquet-go writer
// it replaced produce the same Parquet schema and, read row by row by
// parquet-go knowing nothing of swd, the same values and nulls.
func TestWriterMatchesLegacy(t *testing.T) {
	smallPages(t, 500, 8<<10)
	recs := synthRecords(rand.New(rand.NewPCG(22, 22)), 1234)
	dir := t.TempDir()
	pNew, pOld := filepath.Join(dir, "new.parquet"), filepath.Join(dir, "old.parquet")
	writeFile(t, pNew, synthLayout, recs)
	legacyWriteFile(t, pOld, synthLayout, recs, fastSnappy{})
	fNew, fOld := openParquet(t, pNew), openParquet(t, pOld)
	if got, want := fNew.Schema().String(), fOld.Schema().String(); got != want {
		t.Fatalf("schema\n got %s\nwant %s", got, want)
	}
	if fNew.NumRows() != fOld.NumRows() || len(fNew.RowGroups()) != len(fOld.RowGroups()) {
		t.Fatalf("%d rows in %d groups, want %d in %d", fNew.NumRows(), len(fNew.RowGroups()), fOld.NumRows(), len(fOld.RowGroups()))
	}
	kv := func(f *parquet.File) map[string]string {
		m := map[string]string{}
		for _, p := range f.Metadata().KeyValueMetadata {
			m[p.Key] = p.Value
		}
		return m
	}
	if got, want := kv(fNew), kv(fOld); !reflect.DeepEqual(got, want) {
		t.Fatalf("key-value metadata\n got %v\nwant %v", got, want)
	}
	rNew, rOld := parquet.NewReader(fNew), parquet.NewReader(fOld)
	defer rNew.Close()
	defer rOld.Close()
	bufNew, bufOld := make([]parquet.Row, 100), make([]parquet.Row, 100)
	for row := 0; row < len(recs); {
		n, err := rNew.ReadRows(bufNew)
		if n == 0 {
			t.Fatalf("row %d: %v", row, err)
		}
		if m, err := rOld.ReadRows(bufOld[:n]); m != n {
			t.Fatalf("row %d: legacy file: %d rows, %v", row, m, err)
		}
		for i := range n {
			if !bufNew[i].Equal(bufOld[i]) {
				t.Fatalf("row %d differs:\n got %v\nwant %v", row+i, bufNew[i], bufOld[i])
			}
		}
		row += n
	}
}

// TestWriterChunkMetadata checks the footer: codecs, value and null
// counts, min/max of the clear-text string columns and none for keyed
// columns, and that incompressible filter pages are stored uncompressed
// while repetitive ones are compressed.
func TestWriterChunkMetadata(t *testing.T) {
	smallPages(t, 1000, 4<<10)
	recs := synthRecords(rand.New(rand.NewPCG(23, 23)), 2500)
	p := filepath.Join(t.TempDir(), "m.parquet")
	writeFile(t, p, synthLayout, recs)
	pf := openParquet(t, p)
	cols, err := columns(synthLayout)
	if err != nil {
		t.Fatal(err)
	}
	for g, rg := range pf.Metadata().RowGroups {
		lo, hi := g*rowGroupRows, min((g+1)*rowGroupRows, len(recs))
		for ci, cc := range rg.Columns {
			c, m := cols[ci], cc.MetaData
			var vals []string
			nulls := 0
			for i := lo; i < hi; i++ {
				v, ok := cellOf(c, &recs[i])
				if !ok {
					nulls++
				} else {
					vals = append(vals, v)
				}
			}
			if m.PathInSchema[0] != c.name || m.NumValues != int64(hi-lo) || m.Statistics.NullCount != int64(nulls) {
				t.Errorf("group %d column %s: path %v, %d values, %d nulls; want %d, %d", g, c.name, m.PathInSchema, m.NumValues, m.Statistics.NullCount, hi-lo, nulls)
			}
			wantCodec := stringCodec.CompressionCodec()
			if c.kind == kindCLK || c.kind == kindField {
				wantCodec = filterCodec.CompressionCodec()
			}
			if m.Codec != wantCodec {
				t.Errorf("column %s: codec %v, want %v", c.name, m.Codec, wantCodec)
			}
			switch c.kind {
			case kindPartner, kindRecordID, kindAttr:
				wantMin, wantMax := minMax(vals)
				if string(m.Statistics.MinValue) != wantMin || string(m.Statistics.MaxValue) != wantMax {
					t.Errorf("group %d column %s: min/max %q %q, want %q %q", g, c.name, m.Statistics.MinValue, m.Statistics.MaxValue, wantMin, wantMax)
				}
			default:
				if m.Statistics.MinValue != nil || m.Statistics.MaxValue != nil {
					t.Errorf("column %s has min/max statistics", c.name)
				}
			}
		}
	}
	// Random filters (clk) do not compress; two sexes do.
	for name, wantRaw := range map[string]bool{ColCLK: true, PrefixField + "sex": false} {
		raw, compressed := pageCompression(t, p, name)
		if wantRaw && raw <= compressed || !wantRaw && raw > 0 {
			t.Errorf("column %s: %d pages stored raw, %d compressed", name, raw, compressed)
		}
	}
}

// cellOf is column c of rec as stored: the value as a string, or false for
// null.
func cellOf(c column, rec *encoding.Record) (string, bool) {
	switch c.kind {
	case kindPartner:
		return "caritas", true
	case kindRecordID:
		return rec.RecordID, true
	case kindCLK:
		return "clk", true
	case kindField:
		return "f", rec.Fields[c.index] != nil
	case kindBlock:
		s := optional(rec.BlockKeys, c.index)
		return s, s != ""
	default:
		s := optional(rec.Attrs, c.index)
		return s, s != ""
	}
}

func minMax(vals []string) (lo, hi string) {
	for i, v := range vals {
		if i == 0 || v < lo {
			lo = v
		}
		if i == 0 || v > hi {
			hi = v
		}
	}
	return lo, hi
}

// pageCompression counts the data pages of a column stored uncompressed
// and compressed, from the page headers, and checks their CRCs.
func pageCompression(t *testing.T, path, name string) (raw, compressed int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pf := openParquet(t, path)
	for _, rg := range pf.Metadata().RowGroups {
		for _, cc := range rg.Columns {
			m := cc.MetaData
			if m.PathInSchema[0] != name {
				continue
			}
			r := bytes.NewReader(data[m.DataPageOffset : m.DataPageOffset+m.TotalCompressedSize])
			for r.Len() > 0 {
				var h format.PageHeader
				if err := thrift.NewDecoder(new(thrift.CompactProtocol).NewReader(r)).Decode(&h); err != nil {
					t.Fatal(err)
				}
				body := make([]byte, h.CompressedPageSize)
				if _, err := io.ReadFull(r, body); err != nil {
					t.Fatal(err)
				}
				if crc32.ChecksumIEEE(body) != uint32(h.CRC) {
					t.Errorf("column %s: page CRC differs", name)
				}
				if h.DataPageHeaderV2.V.IsCompressed.V {
					compressed++
				} else {
					raw++
				}
			}
		}
	}
	return raw, compressed
}
