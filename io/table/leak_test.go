package table

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/leaktest"
)

// leakMarker fills the cells of the corrupt inputs of
// TestErrorsQuoteNoInput.
const leakMarker = leaktest.Marker

func assertNoMarker(t testing.TB, what, msg string) {
	t.Helper()
	leaktest.AssertNoMarker(t, what, msg)
}

func corruptions(data []byte, n int) [][]byte { return leaktest.Corruptions(data, n, 0, 0) }

// csvCorruptions is corruptions of a CSV file's data lines: its header
// stays intact (header names are not personal data and errors name them).
func csvCorruptions(data []byte, n int) [][]byte {
	i := bytes.IndexByte(data, '\n') + 1
	var out [][]byte
	for _, c := range corruptions(data[i:], n) {
		out = append(out, append(bytes.Clone(data[:i]), c...))
	}
	return out
}

// readErrors reads path as a table and returns every error: of the open,
// of each row, and the one that ends the file.
func readErrors(path string) []error {
	r, err := Open(path, Options{})
	if err != nil {
		return []error{err}
	}
	defer r.Close()
	var errs []error
	for range 100_000 {
		_, _, err := r.Next()
		if err == nil {
			continue
		}
		if err == io.EOF {
			break
		}
		errs = append(errs, err)
		var ie *base.InputError
		if !errors.As(err, &ie) || ie.Row == 0 {
			break // a file-level error: every later call returns it
		}
	}
	return errs
}

type leakRow struct {
	ID   string  `parquet:"id"`
	Nome string  `parquet:"nome"`
	Note *string `parquet:"note,optional"`
	Eta  int32   `parquet:"eta"`
}

func leakParquet(t testing.TB, opts ...parquet.WriterOption) []byte {
	rows := make([]leakRow, 40)
	for i := range rows {
		note := leakMarker + leakMarker
		rows[i] = leakRow{ID: leakMarker, Nome: leakMarker + string(rune('a'+i%26)), Note: &note, Eta: int32(i)}
	}
	return writeParquet(t, rows, opts...)
}

func leakArrow(t testing.TB) (file, stream []byte) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "nome", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "eta", Type: arrow.PrimitiveTypes.Int32},
	}, nil)
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	defer b.Release()
	for i := range 40 {
		b.Field(0).(*array.StringBuilder).Append(leakMarker)
		b.Field(1).(*array.StringBuilder).Append(leakMarker + leakMarker)
		b.Field(2).(*array.Int32Builder).Append(int32(i))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return arrowWrite(t, schema, []arrow.RecordBatch{rec})
}

// TestErrorsQuoteNoInput plants a marker in every cell of CSV, Parquet and
// Arrow inputs, corrupts them in many ways (truncated, bytes flipped or
// overwritten, malformed CSV) and checks that no error — of the open, of a
// row, of the whole file — quotes any of it.
func TestErrorsQuoteNoInput(t *testing.T) {
	step := 80 // corruptions of each kind per input
	if testing.Short() {
		step = 40
	}
	m := leakMarker
	csvInputs := [][]byte{
		[]byte("id,nome\n" + m + "," + m + "\n" + m + `,"` + m + "\n"),          // unclosed quote
		[]byte("id,nome\n" + m + `,` + m + `"` + m + "\n" + m + "," + m + "\n"), // bare quote
		[]byte("id,nome\n" + m + "," + m + "," + m + "," + m + "\n"),            // too many fields
		[]byte("id,nome\n" + m + "\xff\xfe," + m + "\n"),                        // not UTF-8
		[]byte(`"` + m + `",` + m + `"` + "\n" + m + "\n"),                      // a malformed header
		[]byte("id,id\n" + m + "," + m + "\n"),                                  // duplicate column
	}
	arrowFile, arrowStream := leakArrow(t)
	inputs := []struct {
		name string
		ext  string
		data [][]byte
	}{
		{"csv", ".csv", append(csvInputs, csvCorruptions(csvInputs[0], step)...)},
		{"parquet", ".parquet", corruptions(leakParquet(t), step)},
		{"parquet zstd dictionary", ".parquet", corruptions(leakParquet(t, parquet.Compression(&parquet.Zstd),
			parquet.DefaultEncoding(&parquet.RLEDictionary), parquet.PageBufferSize(128)), step)},
		{"arrow file", ".arrow", corruptions(arrowFile, step)},
		{"arrow stream", ".arrows", corruptions(arrowStream, step)},
	}
	dir := t.TempDir()
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			failed := 0
			path := filepath.Join(dir, "input"+in.ext)
			for i, data := range in.data {
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				for _, err := range readErrors(path) {
					failed++
					assertNoMarker(t, in.name+" case "+string(rune('0'+i%10)), err.Error())
				}
			}
			if failed < len(in.data)/4 {
				t.Fatalf("only %d errors from %d corrupt inputs: the test proves little", failed, len(in.data))
			}
		})
	}
}
