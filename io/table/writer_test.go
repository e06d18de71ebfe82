package table

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
)

func TestRejectsWriter(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "rejects.csv")
	w, err := NewRejectsWriter(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Reject(3, "A-17", "data_nascita", "unknown date format"); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(Rejection{Row: 9, Line: 11, Char: 4, Reason: `a "quoted" reason`}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("rejects file visible before Commit")
	}
	if w.Count() != 2 {
		t.Fatalf("count %d", w.Count())
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	want := "row,record_id,column,reason,line,character\n3,A-17,data_nascita,unknown date format,,\n9,,,\"a \"\"quoted\"\" reason\",11,4\n"
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
	// The rejects file reads back through the CSV reader.
	r, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	checkTable(t, r, "row|record_id|column|reason|line|character", [][]string{
		{"3", "A-17", "data_nascita", "unknown date format", "", ""},
		{"9", "", "", `a "quoted" reason`, "11", "4"},
	})
}

func TestCSVWriterAbort(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.csv")
	w, err := NewCSVWriter(p, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"1"}); err == nil {
		t.Fatal("short row accepted")
	}
	w.Abort()
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("aborted file exists")
	}
	if entries, _ := os.ReadDir(filepath.Dir(p)); len(entries) != 0 {
		t.Fatalf("temp files left: %v", entries)
	}
}

func TestWriteTable(t *testing.T) {
	cols := []Column{
		{Name: "quartiere", Strings: []string{"1", "2", "3"}},
		{Name: "count", Ints: []int64{10, -2, 0}},
		{Name: "ci_low", Floats: []float64{8.5, -4.25, 1e-7}},
	}
	want := [][]string{{"1", "10", "8.5"}, {"2", "-2", "-4.25"}, {"3", "0", "0.0000001"}}
	for _, ext := range []string{".csv", ".parquet"} {
		t.Run(ext, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "t"+ext)
			if err := WriteTable(p, cols); err != nil {
				t.Fatal(err)
			}
			r, err := Open(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			checkTable(t, r, "quartiere|count|ci_low", want)
		})
	}
	bad := [][]Column{
		{{Name: "a", Strings: []string{"x"}}, {Name: "b", Ints: []int64{1, 2}}},
		{{Name: "a", Strings: []string{"x"}, Ints: []int64{1}}},
		{{Name: "a", Ints: []int64{1}}, {Name: "a", Ints: []int64{1}}},
	}
	for i, c := range bad {
		if err := WriteTable(filepath.Join(t.TempDir(), "t.parquet"), c); !errors.Is(err, base.ErrUsage) {
			t.Errorf("bad table %d: %v", i, err)
		}
	}
	if err := WriteTable(filepath.Join(t.TempDir(), "t.xlsx"), cols); err == nil || !strings.Contains(err.Error(), "unknown table format") {
		t.Errorf("xlsx: %v", err)
	}
}
