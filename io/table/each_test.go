package table

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/welfare-district/swd/internal/base"
)

func TestEach(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(p, []byte("a,b\n1,2\n3\n5,6\n7,8\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows []int
	var bad []int
	stop := errors.New("stop")
	err = Each(r, func(row []string, n int) error {
		rows = append(rows, n)
		if row[0] == "5" {
			return stop
		}
		return nil
	}, func(e *base.InputError) { bad = append(bad, e.Row) })
	if !errors.Is(err, stop) {
		t.Fatalf("fn's error not returned: %v", err)
	}
	if len(rows) != 2 || rows[0] != 1 || rows[1] != 3 || len(bad) != 1 || bad[0] != 2 {
		t.Fatalf("rows %v bad %v", rows, bad)
	}
}
