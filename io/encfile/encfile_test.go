package encfile

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

var testLayout = encoding.Layout{
	CLKBits:   1024,
	Fields:    []encoding.FieldSpec{{Name: "nome", Bits: 512}, {Name: "cognome", Bits: 512}, {Name: "sesso", Bits: 8}, {Name: "data_nascita", Bits: 200}},
	BlockKeys: []string{"soundex_anno", "cf"},
	Attrs:     []string{"quartiere", "bisogni", "nucleo_id"},
}

// randomRecords makes n records with random filters and missing values.
func randomRecords(rng *rand.Rand, l encoding.Layout, n int) []encoding.Record {
	recs := make([]encoding.Record, n)
	randVec := func(bits int) []uint64 {
		v := make([]uint64, bitvec.WordsFor(bits))
		for i := range v {
			v[i] = rng.Uint64()
		}
		if r := bits % 64; r != 0 {
			v[len(v)-1] &= 1<<uint(r) - 1
		}
		return v
	}
	for i := range recs {
		r := &recs[i]
		r.RecordID = fmt.Sprintf("R%06d", rng.IntN(1_000_000))
		r.CLK = randVec(l.CLKBits)
		r.Fields = make([][]uint64, len(l.Fields))
		for j, f := range l.Fields {
			if rng.IntN(5) > 0 {
				r.Fields[j] = randVec(f.Bits)
			}
		}
		r.BlockKeys = make([]string, len(l.BlockKeys))
		for j := range r.BlockKeys {
			if rng.IntN(4) > 0 {
				r.BlockKeys[j] = fmt.Sprintf("%016x", rng.Uint64())
			}
		}
		r.Attrs = make([]string, len(l.Attrs))
		for j := range r.Attrs {
			if rng.IntN(3) > 0 {
				r.Attrs[j] = fmt.Sprintf("v%d;è", rng.IntN(50))
			}
		}
	}
	return recs
}

// writeRecords creates a file of partner caritas at path and writes recs;
// the caller commits it, and aborts it (a no-op after a commit).
func writeRecords(t testing.TB, path string, l encoding.Layout, recs []encoding.Record) *Writer {
	t.Helper()
	w, err := Create(path, l, "caritas")
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func testMeta() encoding.Meta {
	return encoding.Meta{
		SchemaFingerprint: "ab12", KeyCheck: "cd34", Rejected: 3,
		Created: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), CodeVersion: "test",
		Pseudonymised: true, Schema: []byte("version: 1\nfields: []\n"),
	}
}

func writeFile(t testing.TB, path string, l encoding.Layout, recs []encoding.Record) encoding.Meta {
	t.Helper()
	w := writeRecords(t, path, l, recs)
	defer w.Abort()
	m := testMeta()
	if err := w.Commit(m); err != nil {
		t.Fatal(err)
	}
	m.Partner, m.Rows, m.FormatVersion = "caritas", len(recs), encoding.FormatVersion
	return m
}

func TestRoundTrip(t *testing.T) {
	defer func(n int) { rowGroupRows = n }(rowGroupRows)
	rowGroupRows = 500 // several row groups, full and partial
	for _, n := range []int{0, 1, 499, 500, 1000, 2500 + 7} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(n)))
			recs := randomRecords(rng, testLayout, n)
			path := filepath.Join(t.TempDir(), "p.swd.parquet")
			wantMeta := writeFile(t, path, testLayout, recs)

			checkRowGroups(t, path, n)
			meta, layout, err := ReadMeta(path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(meta, wantMeta) {
				t.Fatalf("meta\n got %+v\nwant %+v", meta, wantMeta)
			}
			if !reflect.DeepEqual(layout, testLayout) {
				t.Fatalf("layout\n got %+v\nwant %+v", layout, testLayout)
			}

			d, err := Read(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if d.Len() != n || !reflect.DeepEqual(d.Meta, wantMeta) || !reflect.DeepEqual(d.Layout(), layoutWords(testLayout)) {
				t.Fatalf("dataset: %d rows, layout %+v", d.Len(), d.Layout())
			}
			for i := range recs {
				checkRecord(t, i, &recs[i], datasetRecord(d, i))
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fromBytes, whole, err := ReadBytes(context.Background(), path, data)
			if err != nil || !whole {
				t.Fatalf("ReadBytes: whole %t, %v", whole, err)
			}
			if !reflect.DeepEqual(fromBytes, d) {
				t.Fatal("ReadBytes and Read give different datasets")
			}

			i := 0
			err = Scan(context.Background(), path, func(r *encoding.Record) error {
				checkRecord(t, i, &recs[i], r)
				i++
				return nil
			})
			if err != nil || i != n {
				t.Fatalf("scan: %d records, %v", i, err)
			}
		})
	}
}

// layoutWords is l as a Dataset reports it: the CLK size in whole words.
func layoutWords(l encoding.Layout) encoding.Layout {
	l.CLKBits = 64 * bitvec.WordsFor(l.CLKBits)
	return l
}

func datasetRecord(d *encoding.Dataset, i int) *encoding.Record {
	r := &encoding.Record{RecordID: d.RecordIDs[i], CLK: d.CLK.At(i)}
	for _, f := range d.Fields {
		var v []uint64
		if f.Present[i] {
			v = f.Filters.At(i)
		}
		r.Fields = append(r.Fields, v)
	}
	for _, c := range d.BlockKeys {
		r.BlockKeys = append(r.BlockKeys, c.Values[i])
	}
	for _, c := range d.Attrs {
		r.Attrs = append(r.Attrs, c.Values[i])
	}
	return r
}

func checkRecord(t *testing.T, i int, want, got *encoding.Record) {
	t.Helper()
	if got.RecordID != want.RecordID || !reflect.DeepEqual(got.CLK, want.CLK) ||
		!reflect.DeepEqual(got.BlockKeys, want.BlockKeys) || !reflect.DeepEqual(got.Attrs, want.Attrs) {
		t.Fatalf("record %d differs", i)
	}
	for j := range want.Fields {
		if (want.Fields[j] == nil) != (got.Fields[j] == nil) || !reflect.DeepEqual(want.Fields[j], got.Fields[j]) && want.Fields[j] != nil {
			t.Fatalf("record %d field %d differs", i, j)
		}
	}
}

func TestInvalidFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.swd.parquet")
	writeFile(t, good, testLayout, randomRecords(rand.New(rand.NewPCG(2, 2)), testLayout, 100))
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"empty":     nil,
		"truncated": data[:len(data)/2],
		"no footer": data[:len(data)-8],
		"csv":       []byte("record_id,nome\n1,x\n"),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name+".parquet")
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := ReadMeta(p)
			if !errors.Is(err, base.ErrInvalidInput) {
				t.Fatalf("ReadMeta: want invalid input, got %v", err)
			}
			if _, err := Read(context.Background(), p); !errors.Is(err, base.ErrInvalidInput) {
				t.Fatalf("Read: want invalid input, got %v", err)
			}
			if _, _, err := ReadBytes(context.Background(), p, b); !errors.Is(err, base.ErrInvalidInput) {
				t.Fatalf("ReadBytes: want invalid input, got %v", err)
			}
			if err := Scan(context.Background(), p, func(*encoding.Record) error { return nil }); !errors.Is(err, base.ErrInvalidInput) {
				t.Fatalf("Scan: want invalid input, got %v", err)
			}
			t.Log(err)
		})
	}
}

// checkRowGroups checks that the file has row groups of rowGroupRows rows.
func checkRowGroups(t *testing.T, path string, n int) {
	t.Helper()
	r, err := open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.f.Close()
	groups := r.pf.RowGroups()
	if len(groups) != (n+rowGroupRows-1)/rowGroupRows {
		t.Fatalf("%d row groups for %d rows", len(groups), n)
	}
	for i, g := range groups {
		if want := min(rowGroupRows, n-i*rowGroupRows); g.NumRows() != int64(want) {
			t.Fatalf("row group %d has %d rows, want %d", i, g.NumRows(), want)
		}
	}
}
