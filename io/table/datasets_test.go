package table

import (
	"testing"

	"github.com/welfare-district/swd/internal/testdirs"
)

// TestSharedDatasets reads the public test data sets end to end: every data
// row must come back, none rejected.
func TestSharedDatasets(t *testing.T) {
	tests := []struct {
		file string
		opts Options
		rows int
		cols int
	}{
		{"febrl/dataset1.csv", Options{TrimSpace: true}, 1000, 11},
		{"febrl/dataset4a.csv", Options{TrimSpace: true}, 5000, 11},
		{"ncvoter-100k/df_A_100000.csv", Options{}, 100000, 8},
		{"rldata/RLdata500.csv", Options{}, 500, 7},
		{"splink/fake_1000.csv", Options{}, 1000, 7},
		{"splink/historical_figures_with_errors_50k.parquet", Options{}, 50578, 11},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if testing.Short() && tt.rows > 10000 {
				t.Skip("large file")
			}
			p := testdirs.SharedFile(t, tt.file)
			r, err := Open(p, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			rows, errs := readAll(t, r)
			if len(errs) > 0 {
				t.Fatalf("%d rows rejected, first: %v", len(errs), errs[0])
			}
			if len(rows) != tt.rows || (tt.cols > 0 && len(r.Header()) != tt.cols) {
				t.Fatalf("%d rows of %d columns (%q)", len(rows), len(r.Header()), r.Header())
			}
		})
	}
}
