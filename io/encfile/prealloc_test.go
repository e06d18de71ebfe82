package encfile

import (
	"testing"

	"github.com/welfare-district/swd/linkage/encoding"
)

func TestPreallocRows(t *testing.T) {
	// The synth schema: 1024 CLK bits and 2752 bits of field filters, 472
	// bytes of filters a row.
	synth := encoding.Layout{CLKBits: 1024, Fields: []encoding.FieldSpec{{Name: "a", Bits: 2048}, {Name: "b", Bits: 704}}}
	for _, tc := range []struct {
		name       string
		rows, size int64
		layout     encoding.Layout
		want       int
	}{
		{"small file: all its rows", 1000, 500_000, synth, 1000},
		{"large real file: all its rows, not 1M grown by append", 2_092_796, 963_597_355, synth, 2_092_796},
		{"lying footer in a small file: maxPrealloc", 1 << 40, 10_000, synth, maxPrealloc},
		{"lying footer in a large file: four bytes of filters a byte of file", 1 << 40, 472_000_000, synth, 4_000_000},
		{"no filters (no layout): maxPrealloc", 1 << 40, 1 << 30, encoding.Layout{}, maxPrealloc},
		{"negative rows", -5, 1 << 20, synth, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := preallocRows(tc.rows, tc.size, tc.layout); got != tc.want {
				t.Errorf("preallocRows(%d, %d) = %d, want %d", tc.rows, tc.size, got, tc.want)
			}
		})
	}
}
