package table_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/io/table"
)

// Read a partner export, sending bad rows to a rejects file.
func Example() {
	dir, _ := os.MkdirTemp("", "table-example")
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "export.csv")
	_ = os.WriteFile(in, []byte("record_id;nome;data_nascita\nA1;Nicolò;02/01/2006\nA2;Anna\nA3;\"Lu\"ca\";1990-05-01\n"), 0o644)

	r, err := table.Open(in, table.Options{}) // delimiter sniffed: ';'
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	rejects, _ := table.NewRejectsWriter(filepath.Join(dir, "rejects.csv"))
	defer rejects.Abort()
	fmt.Println(r.Header())
	for {
		row, n, err := r.Next()
		if err == io.EOF {
			break
		}
		var ie *base.InputError
		if errors.As(err, &ie) {
			_ = rejects.Add(table.Rejection{Row: n, Line: ie.Line, Char: ie.Char, Column: ie.Column, Reason: ie.Reason})
			continue
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(n, row[0])
	}
	_ = rejects.Commit()
	out, _ := os.ReadFile(filepath.Join(dir, "rejects.csv"))
	fmt.Print(string(out))
	// Output:
	// [record_id nome data_nascita]
	// 1 A1
	// row,record_id,column,reason,line,character
	// 2,,,"has 2 fields, the header has 3",3,
	// 3,,nome,text after the closing quote of a quoted value (a stray quote? inside a quoted value write a quote twice),4,8
}
