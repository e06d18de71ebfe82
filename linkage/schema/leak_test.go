package schema

import (
	"fmt"
	"testing"

	"github.com/welfare-district/swd/internal/leaktest"
)

// TestErrorsQuoteNoInput gives Parse YAML (and a CSV export mistaken for a
// schema) with a marker where the decoder quotes what it cannot use, and
// checks that no error quotes it.
func TestErrorsQuoteNoInput(t *testing.T) {
	m := leaktest.Marker
	inputs := []string{
		"version: " + m,
		"version: 1\nfields: " + m,
		"version: 1\nfields:\n  - name: x\n    kind: [" + m + "]\n",
		"version: 1\nclk: *" + m + "\n",
		"record_id,nome,cognome\n" + m + "," + m + "," + m + "\n",
		"record_id: " + m + "\n" + m + ", " + m + "\n",
		"version: 1\n" + m + ": 3\n",
		"1," + m + ",Via Roma: 3\n",
		"version: 1\nfields:\n\t- " + m,
		"{" + m + ": [" + m,
		"version: 1\nid_column: [" + m + ", " + m + "]\n",
	}
	for i, in := range inputs {
		_, err := Parse([]byte(in))
		if err == nil {
			t.Fatalf("input %d parsed", i)
		}
		leaktest.AssertNoMarker(t, fmt.Sprintf("input %d", i), err.Error())
	}
}
