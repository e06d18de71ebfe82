package taxonomy

import (
	"fmt"
	"testing"

	"github.com/welfare-district/swd/internal/leaktest"
)

// TestCodeMapErrorsQuoteNoInput gives ParseCodeMap YAML (and a CSV export
// mistaken for a code map) with a marker where the decoder quotes what it
// cannot use, and checks that no error quotes it.
func TestCodeMapErrorsQuoteNoInput(t *testing.T) {
	m := leaktest.Marker
	inputs := []string{
		"partner: [" + m + "]\n",
		"partner: caritas\nversion: 1\ncodes: " + m + "\n",
		"partner: caritas\ncodes:\n  X: " + m + "\n",
		"record_id,bisogni\n" + m + "," + m + "\n",
		"partner: *" + m + "\n",
		m + ": 1\n",
	}
	for i, in := range inputs {
		_, err := ParseCodeMap([]byte(in))
		if err == nil {
			t.Fatalf("input %d parsed", i)
		}
		leaktest.AssertNoMarker(t, fmt.Sprintf("input %d", i), err.Error())
	}
}
