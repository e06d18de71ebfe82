package table

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/base"
)

type pqRow struct {
	RecordID string    `parquet:"record_id"`
	Nome     *string   `parquet:"nome,optional"`
	Eta      int32     `parquet:"eta"`
	Big      int64     `parquet:"big"`
	Cap      float64   `parquet:"cap"`
	Ratio    float32   `parquet:"ratio"`
	Flag     bool      `parquet:"flag"`
	Nascita  int32     `parquet:"nascita,date"` // days since 1970 (parquet-go mis-encodes time.Time dates)
	Creato   time.Time `parquet:"creato,timestamp(millisecond)"`
	Raw      []byte    `parquet:"raw"`
	Unsigned uint32    `parquet:"unsigned"`
}

var pqHeader = "record_id|nome|eta|big|cap|ratio|flag|nascita|creato|raw|unsigned"

func pqRows(n int) ([]pqRow, [][]string) {
	rows := make([]pqRow, n)
	want := make([][]string, n)
	for i := range rows {
		name := "Nicolò"
		r := pqRow{RecordID: "r" + strconv.Itoa(i+1), Eta: int32(i - 3), Big: 1 << 40, Cap: 35100, Ratio: 0.5, Flag: i%2 == 0,
			Nascita: int32(time.Date(1980, 2, 29, 0, 0, 0, 0, time.UTC).Unix() / 86400), Creato: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC),
			Raw: []byte("testo"), Unsigned: 4_000_000_000}
		nome := ""
		if i%3 != 0 {
			r.Nome, nome = &name, name
		}
		rows[i] = r
		want[i] = []string{r.RecordID, nome, strconv.Itoa(i - 3), "1099511627776", "35100", "0.5", map[bool]string{true: "true", false: "false"}[r.Flag],
			"1980-02-29", "2026-01-02T03:04:05.006Z", "testo", "4000000000"}
	}
	return rows, want
}

func writeParquet[T any](t testing.TB, rows []T, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func checkTable(t *testing.T, r Reader, header string, want [][]string) {
	t.Helper()
	if got := strings.Join(r.Header(), "|"); got != header {
		t.Fatalf("header %q want %q", got, header)
	}
	rows, errs := readAll(t, r)
	if len(errs) > 0 {
		t.Fatalf("row errors: %v", errs)
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i := range rows {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Fatalf("row %d:\n got %q\nwant %q", i+1, rows[i], want[i])
		}
	}
}

func TestParquetRoundTrip(t *testing.T) {
	rows, want := pqRows(2500)
	// Small row groups and pages, so batches cross row-group boundaries.
	data := writeParquet(t, rows, parquet.MaxRowsPerRowGroup(1000), parquet.PageBufferSize(512))
	p := writeTemp(t, "in.parquet", data)
	r, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	checkTable(t, r, pqHeader, want)
}

type badText struct {
	ID  string `parquet:"id"` // STRING: always UTF-8
	Raw []byte `parquet:"raw"`
}

func TestParquetInvalidText(t *testing.T) {
	data := writeParquet(t, []badText{{"1", []byte("ok")}, {"2", []byte("\xe8" + canary)}, {"3", []byte("\xe8")}})
	p := writeTemp(t, "in.parquet", data)
	r, err := Open(p, Options{Encoding: "utf-8"})
	if err != nil {
		t.Fatal(err)
	}
	rows, errs := readAll(t, r)
	r.Close()
	if len(rows) != 1 || len(errs) != 2 || errs[0].Row != 2 || errs[0].Column != "raw" || strings.Contains(errs[0].Error(), canary) {
		t.Fatalf("rows %q errors %v", rows, errs)
	}
	for _, enc := range []string{"latin-1", "auto"} {
		r, err = Open(p, Options{Encoding: enc})
		if err != nil {
			t.Fatal(err)
		}
		checkTable(t, r, "id|raw", [][]string{{"1", "ok"}, {"2", "è" + canary}, {"3", "è"}})
		r.Close()
	}

	// A STRING column is UTF-8 whatever the option says.
	data = writeParquet(t, []badText{{"\xe8" + canary, nil}})
	r, err = Open(writeTemp(t, "s.parquet", data), Options{Encoding: "latin-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if rows, errs := readAll(t, r); len(rows) != 0 || len(errs) != 1 || errs[0].Column != "id" || strings.Contains(errs[0].Error(), canary) {
		t.Fatalf("rows %q errors %v", rows, errs)
	}
}

func TestArrowInvalidText(t *testing.T) {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}, {Name: "raw", Type: arrow.BinaryTypes.Binary}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i, raw := range []string{"ok", "\xe8" + canary, "x"} {
		b.Field(0).(*array.StringBuilder).Append(strconv.Itoa(i + 1))
		b.Field(1).(*array.BinaryBuilder).Append([]byte(raw))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p := writeTemp(t, "bad.arrows", buf.Bytes())
	r, err := Open(p, Options{Encoding: "utf-8"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows, errs := readAll(t, r)
	if len(rows) != 2 || len(errs) != 1 || errs[0].Row != 2 || errs[0].Column != "raw" || strings.Contains(errs[0].Error(), canary) {
		t.Fatalf("rows %q errors %v", rows, errs)
	}
	// auto reads a binary value that is not UTF-8 as Windows-1252.
	ra, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	checkTable(t, ra, "id|raw", [][]string{{"1", "ok"}, {"2", "è" + canary}, {"3", "x"}})
}

type nested struct {
	ID   string   `parquet:"id"`
	Tags []string `parquet:"tags,list"`
}

// TestCorruptFiles checks that truncated, nested and random files give a
// file-level invalid-input error naming the file and never panic.
func TestCorruptFiles(t *testing.T) {
	rows, _ := pqRows(300)
	pq := writeParquet(t, rows)
	arrowFile, arrowStream := arrowBytes(t, 300)
	rng := rand.New(rand.NewPCG(7, 7))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	tests := []struct {
		name string
		ext  string
		data []byte
	}{
		{"parquet empty", ".parquet", nil},
		{"parquet truncated half", ".parquet", pq[:len(pq)/2]},
		{"parquet truncated footer", ".parquet", pq[:len(pq)-3]},
		{"parquet random", ".parquet", random},
		{"parquet nested", ".parquet", writeParquet(t, []nested{{"1", []string{"a"}}})},
		{"parquet csv", ".parquet", []byte("a,b\n1,2\n")},
		{"arrow empty", ".arrow", nil},
		{"arrow file truncated", ".arrow", arrowFile[:len(arrowFile)/2]},
		{"arrow file truncated footer", ".arrow", arrowFile[:len(arrowFile)-5]},
		{"arrow stream truncated", ".arrows", arrowStream[:len(arrowStream)/2]},
		{"arrow stream header only", ".arrows", arrowStream[:40]},
		{"arrow random", ".arrow", random},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeTemp(t, "bad"+tt.ext, tt.data)
			r, err := Open(p, Options{})
			if err == nil {
				_, errs := readAllTolerant(r)
				r.Close()
				err = errs
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, base.ErrInvalidInput) || !strings.Contains(err.Error(), p) {
				t.Fatalf("want an invalid-input error naming the file, got %v", err)
			}
		})
	}
}

// readAllTolerant reads to the end and returns the fatal error, if any.
func readAllTolerant(r Reader) (int, error) {
	n := 0
	for {
		_, _, err := r.Next()
		var ie *base.InputError
		switch {
		case err == nil:
			n++
		case errors.As(err, &ie) && ie.Row > 0:
			n++
		case errors.Is(err, os.ErrClosed), err.Error() == "EOF":
			return n, nil
		default:
			return n, err
		}
	}
}

func arrowSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "record_id", Type: arrow.BinaryTypes.String},
		{Name: "nome", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "eta", Type: arrow.PrimitiveTypes.Int32},
		{Name: "cap", Type: arrow.PrimitiveTypes.Float64},
		{Name: "nascita", Type: arrow.FixedWidthTypes.Date32},
		{Name: "creato", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
		{Name: "raw", Type: arrow.BinaryTypes.Binary},
		{Name: "quartiere", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}},
	}, nil)
}

// arrowBatches builds n rows in batches of 100, with their text rendering.
func arrowBatches(n int) ([]arrow.RecordBatch, [][]string) {
	mem := memory.NewGoAllocator()
	var batches []arrow.RecordBatch
	var want [][]string
	dict := array.NewStringBuilder(mem)
	for q := 1; q <= 6; q++ {
		dict.Append("Q" + strconv.Itoa(q))
	}
	dictValues := dict.NewStringArray()
	defer dictValues.Release()
	for start := 0; start < n; start += 100 {
		b := array.NewRecordBuilder(mem, arrowSchema())
		// One dictionary for all batches, as the IPC file format requires.
		if err := b.Field(7).(*array.BinaryDictionaryBuilder).InsertStringDictValues(dictValues); err != nil {
			panic(err)
		}
		for i := start; i < min(n, start+100); i++ {
			b.Field(0).(*array.StringBuilder).Append("r" + strconv.Itoa(i+1))
			nome := ""
			if i%3 == 0 {
				b.Field(1).AppendNull()
			} else {
				nome = "Nicolò"
				b.Field(1).(*array.StringBuilder).Append(nome)
			}
			b.Field(2).(*array.Int32Builder).Append(int32(i))
			b.Field(3).(*array.Float64Builder).Append(35100)
			b.Field(4).(*array.Date32Builder).Append(arrow.Date32FromTime(time.Date(1980, 2, 29, 0, 0, 0, 0, time.UTC)))
			b.Field(5).(*array.TimestampBuilder).Append(arrow.Timestamp(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixMilli()))
			b.Field(6).(*array.BinaryBuilder).Append([]byte("testo"))
			q := "Q" + strconv.Itoa(i%6+1)
			if err := b.Field(7).(*array.BinaryDictionaryBuilder).AppendString(q); err != nil {
				panic(err)
			}
			want = append(want, []string{"r" + strconv.Itoa(i+1), nome, strconv.Itoa(i), "35100", "1980-02-29", "2026-01-02T03:04:05Z", "testo", q})
		}
		batches = append(batches, b.NewRecordBatch())
		b.Release()
	}
	return batches, want
}

func arrowBytes(t testing.TB, n int) (file, stream []byte) {
	t.Helper()
	batches, _ := arrowBatches(n)
	var fb, sb bytes.Buffer
	fw, err := ipc.NewFileWriter(&fb, ipc.WithSchema(arrowSchema()))
	if err != nil {
		t.Fatal(err)
	}
	sw := ipc.NewWriter(&sb, ipc.WithSchema(arrowSchema()))
	for _, b := range batches {
		if err := fw.Write(b); err != nil {
			t.Fatal(err)
		}
		if err := sw.Write(b); err != nil {
			t.Fatal(err)
		}
		b.Release()
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	return fb.Bytes(), sb.Bytes()
}

func TestArrowRoundTrip(t *testing.T) {
	file, stream := arrowBytes(t, 250)
	_, want := arrowBatches(250)
	header := "record_id|nome|eta|cap|nascita|creato|raw|quartiere"
	for name, data := range map[string][]byte{"file.arrow": file, "stream.arrows": stream, "stream.feather": stream, "file.ipc": file} {
		t.Run(name, func(t *testing.T) {
			r, err := Open(writeTemp(t, name, data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			checkTable(t, r, header, want)
		})
	}
}
