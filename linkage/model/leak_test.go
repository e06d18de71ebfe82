package model

import (
	"fmt"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/leaktest"
)

// TestDecodeQuotesNoInput gives Decode files with a marker where the JSON
// decoder would quote what it cannot use (an unknown field, a value of the
// wrong type, a syntax error), and checks that no error quotes it.
func TestDecodeQuotesNoInput(t *testing.T) {
	m := leaktest.Marker
	inputs := []string{
		`{"` + m + `": 1}`,
		`{"fields": "` + m + `"}`,
		`{"fields": [` + m + `]}`,
		m,
		`{"fields": [{"name": 1` + m,
	}
	for i, in := range inputs {
		_, err := Decode(strings.NewReader(in), "model.json")
		if err == nil {
			t.Fatalf("input %d decoded", i)
		}
		if !strings.Contains(err.Error(), "model.json") {
			t.Errorf("input %d: the error does not name the file: %v", i, err)
		}
		leaktest.AssertNoMarker(t, fmt.Sprintf("input %d", i), err.Error())
	}
}
