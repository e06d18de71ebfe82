package encfile

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/encoding"
)

func TestCreateRejectsBadLayouts(t *testing.T) {
	bad := []encoding.Layout{
		{CLKBits: 0},
		{CLKBits: 1001},
		{CLKBits: 64, Fields: []encoding.FieldSpec{{Name: "x", Bits: 12}}},
		{CLKBits: 64, Fields: []encoding.FieldSpec{{Name: "x", Bits: 64}, {Name: "x", Bits: 64}}},
		{CLKBits: 64, Attrs: []string{""}},
	}
	for i, l := range bad {
		if _, err := Create(filepath.Join(t.TempDir(), "x.parquet"), l, "p"); !errors.Is(err, base.ErrUsage) {
			t.Errorf("layout %d: want usage error, got %v", i, err)
		}
	}
	if _, err := Create(filepath.Join(t.TempDir(), "x.parquet"), testLayout, ""); !errors.Is(err, base.ErrUsage) {
		t.Errorf("empty partner: %v", err)
	}
}

func TestWriteRejectsBadRecords(t *testing.T) {
	good := randomRecords(rand.New(rand.NewPCG(5, 5)), testLayout, 1)[0]
	mutate := map[string]func(r *encoding.Record){
		"short clk":        func(r *encoding.Record) { r.CLK = r.CLK[:3] },
		"field words":      func(r *encoding.Record) { r.Fields[0] = make([]uint64, 3) },
		"tail bits":        func(r *encoding.Record) { r.Fields[3] = []uint64{0, 0, 0, 1 << 63} },
		"missing fields":   func(r *encoding.Record) { r.Fields = r.Fields[:1] },
		"extra attributes": func(r *encoding.Record) { r.Attrs = append(r.Attrs, "x") },
	}
	for name, m := range mutate {
		t.Run(name, func(t *testing.T) {
			w, err := Create(filepath.Join(t.TempDir(), "x.parquet"), testLayout, "p")
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			r := good
			r.Fields = append([][]uint64(nil), good.Fields...)
			m(&r)
			if err := w.Write(&r); err == nil || w.Rows() != 0 {
				t.Fatalf("bad record accepted (err %v)", err)
			}
		})
	}
}

func TestWriteCopiesInput(t *testing.T) {
	recs := randomRecords(rand.New(rand.NewPCG(6, 6)), testLayout, 10)
	p := filepath.Join(t.TempDir(), "p.parquet")
	w, err := Create(p, testLayout, "acli")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	scratch := encoding.Record{CLK: make([]uint64, 16), Fields: make([][]uint64, 4), BlockKeys: make([]string, 2), Attrs: make([]string, 3)}
	for i := range recs {
		copy(scratch.CLK, recs[i].CLK)
		scratch.RecordID = recs[i].RecordID
		copy(scratch.Fields, recs[i].Fields)
		copy(scratch.BlockKeys, recs[i].BlockKeys)
		copy(scratch.Attrs, recs[i].Attrs)
		if err := w.Write(&scratch); err != nil {
			t.Fatal(err)
		}
		clear(scratch.CLK) // the writer must have copied
	}
	if err := w.Commit(encoding.Meta{}); err != nil {
		t.Fatal(err)
	}
	d, err := Read(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		checkRecord(t, i, &recs[i], datasetRecord(d, i))
	}
	if d.Meta.Rows != 10 || d.Meta.Partner != "acli" || d.Meta.Created.IsZero() || d.Meta.FormatVersion != encoding.FormatVersion {
		t.Fatalf("defaults not filled: %+v", d.Meta)
	}
}

func TestCommitChecksMeta(t *testing.T) {
	bad := []encoding.Meta{{Partner: "other"}, {Rows: 5}, {FormatVersion: 99}}
	for i, m := range bad {
		p := filepath.Join(t.TempDir(), "p.parquet")
		w, err := Create(p, testLayout, "acli")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(m); !errors.Is(err, base.ErrUsage) {
			t.Errorf("meta %d: want usage error, got %v", i, err)
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("meta %d: file written despite the error", i)
		}
		if entries, _ := os.ReadDir(filepath.Dir(p)); len(entries) != 0 {
			t.Errorf("meta %d: temp files left: %v", i, entries)
		}
	}
}

// commitWith writes a file whose metadata is tampered by edit, to test the
// reader's checks.
func commitWith(t *testing.T, path string, recs []encoding.Record, edit func(kv map[string]string)) {
	t.Helper()
	w := writeRecords(t, path, testLayout, recs)
	defer w.Abort()
	m := testMeta()
	m.Partner, m.Rows, m.FormatVersion = "caritas", len(recs), 1
	kv := map[string]string{}
	for _, p := range metaPairs(m) {
		kv[p[0]] = p[1]
	}
	edit(kv)
	var pairs [][2]string
	for k, v := range kv {
		pairs = append(pairs, [2]string{k, v})
	}
	if err := w.finish(pairs, "test"); err != nil {
		t.Fatal(err)
	}
}

func TestReaderChecksMeta(t *testing.T) {
	recs := randomRecords(rand.New(rand.NewPCG(8, 8)), testLayout, 20)
	tests := map[string]struct {
		edit func(map[string]string)
		want string
	}{
		"newer version":   {func(kv map[string]string) { kv[KeyFormatVersion] = "2" }, "format version 2 is newer"},
		"garbage version": {func(kv map[string]string) { kv[KeyFormatVersion] = "x" }, "invalid swd.format_version"},
		"no version":      {func(kv map[string]string) { delete(kv, KeyFormatVersion) }, "not an swd encoded file"},
		"no key check":    {func(kv map[string]string) { delete(kv, KeyKeyCheck) }, "swd.key_check missing"},
		"row count":       {func(kv map[string]string) { kv[KeyRows] = "21" }, "metadata says 21 rows, the file holds 20"},
		"partner":         {func(kv map[string]string) { kv[KeyPartner] = "acli" }, "partner differs"},
		"created":         {func(kv map[string]string) { kv[KeyCreated] = "yesterday" }, "invalid swd.created"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "p.parquet")
			// The metadata map cannot be deleted from once set, so "no …"
			// cases are written without the key.
			commitWith(t, p, recs, tt.edit)
			_, err := Read(context.Background(), p)
			if !errors.Is(err, base.ErrInvalidInput) || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), p) {
				t.Fatalf("want an invalid-input error naming the file with %q, got %v", tt.want, err)
			}
		})
	}
}

func TestScanStopsOnCallbackError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "p.parquet")
	writeFile(t, p, testLayout, randomRecords(rand.New(rand.NewPCG(9, 9)), testLayout, 100))
	stop := errors.New("stop")
	n := 0
	err := Scan(context.Background(), p, func(*encoding.Record) error {
		if n++; n == 10 {
			return stop
		}
		return nil
	})
	if err != stop || n != 10 {
		t.Fatalf("err %v after %d records", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, p); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled read: %v", err)
	}
}

func TestWriteAfterCommitOrAbort(t *testing.T) {
	recs := randomRecords(rand.New(rand.NewPCG(10, 10)), testLayout, 3)
	for _, end := range []string{"commit", "abort"} {
		t.Run(end, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "p.parquet")
			w, err := Create(p, testLayout, "acli")
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(&recs[0]); err != nil {
				t.Fatal(err)
			}
			if end == "commit" {
				if err := w.Commit(encoding.Meta{}); err != nil {
					t.Fatal(err)
				}
			} else {
				w.Abort()
			}
			if err := w.Write(&recs[1]); !errors.Is(err, errClosed) {
				t.Fatalf("write after %s: %v", end, err)
			}
			if err := w.Commit(encoding.Meta{}); !errors.Is(err, errClosed) {
				t.Fatalf("commit after %s: %v", end, err)
			}
			_, statErr := os.Stat(p)
			if (end == "commit") != (statErr == nil) {
				t.Fatalf("after %s: file exists %v", end, statErr == nil)
			}
			if end == "commit" {
				if meta, _, err := ReadMeta(p); err != nil || meta.Rows != 1 {
					t.Fatalf("committed file: %+v, %v", meta, err)
				}
			}
		})
	}
}

// TestFailedDiskWrite makes the file's writes fail (its descriptor closed
// under the writer, as a full disk would) in a row group written by Write,
// in the last one written by Commit and in the footer: the error is
// sticky, names the file but no value, and nothing is left on disk.
func TestFailedDiskWrite(t *testing.T) {
	smallPages(t, 50, 1<<10)
	recs := randomRecords(rand.New(rand.NewPCG(11, 11)), testLayout, 120)
	for _, tc := range []struct {
		name       string
		before     int  // records written before the disk fails
		writeFails bool // a Write reports the failure; else Commit
	}{
		{"first row group", 0, true},
		{"second row group", 60, true},
		{"last row group", 10, false},
		{"footer", 50, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "p.parquet")
			w, err := Create(p, testLayout, "acli")
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			for i := range tc.before {
				if err := w.Write(&recs[i]); err != nil {
					t.Fatal(err)
				}
			}
			w.f.File.Close()
			var werr error
			for i := tc.before; tc.writeFails && werr == nil; i++ {
				if i == len(recs) {
					t.Fatal("no write failed")
				}
				werr = w.Write(&recs[i])
			}
			err = w.Commit(encoding.Meta{})
			if tc.writeFails && err != werr {
				t.Errorf("commit after a failed write: %v, want %v", err, werr)
			}
			if !errors.Is(err, os.ErrClosed) || !strings.Contains(err.Error(), p) {
				t.Fatalf("failed write: %v", err)
			}
			for _, r := range recs {
				if strings.Contains(err.Error(), r.RecordID) {
					t.Fatalf("error %q names record id %s", err, r.RecordID)
				}
			}
			if err := w.Write(&recs[0]); err == nil {
				t.Error("write after the failure accepted")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files left: %v", entries)
			}
		})
	}
}
