package encfile_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/linkage/encoding"
)

// Write an encoded file and read it back.
func Example() {
	dir, _ := os.MkdirTemp("", "encfile-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "caritas.swd.parquet")
	layout := encoding.Layout{
		CLKBits: 128,
		Fields:  []encoding.FieldSpec{{Name: "cognome", Bits: 64}},
		Attrs:   []string{"quartiere"},
	}
	w, err := encfile.Create(path, layout, "caritas")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Abort()
	clk := make([]uint64, 2)
	bitvec.Set(clk, 0)
	bitvec.Set(clk, 127)
	_ = w.Write(&encoding.Record{RecordID: "C-1", CLK: clk, Fields: [][]uint64{{0xff}}, Attrs: []string{"3"}})
	_ = w.Write(&encoding.Record{RecordID: "C-2", CLK: clk, Fields: [][]uint64{nil}, Attrs: []string{""}})
	if err := w.Commit(encoding.Meta{SchemaFingerprint: "9f2c", KeyCheck: "41d0"}); err != nil {
		fmt.Println(err)
		return
	}

	meta, l, _ := encfile.ReadMeta(path)
	fmt.Println(meta.Partner, meta.Rows, l.CLKBits, l.Fields[0].Name)
	d, _ := encfile.Read(context.Background(), path)
	f := d.Field("cognome")
	fmt.Println(d.RecordIDs, f.Present, d.Attr("quartiere").Values, bitvec.Get(d.CLK.At(1), 127))
	// Output:
	// caritas 2 128 cognome
	// [C-1 C-2] [true false] [3 ] true
}
