package encoding

import (
	"strings"
	"testing"
)

// TestSharedFieldKey checks schema key: a surname hashed under the given
// name's key gives a value the same filter as the given name does (names
// written in each other's columns can be compared), salt included, while
// without it the two fields' filters of one value are unrelated.
func TestSharedFieldKey(t *testing.T) {
	shared := strings.Replace(testSchema,
		"{name: surname, kind: name, max_missing: 1, column: cognome}",
		"{name: surname, kind: name, max_missing: 1, column: cognome, key: given_name}", 1)
	if shared == testSchema {
		t.Fatal("test schema changed: surname not found")
	}
	rows := [][]string{
		row("1", "", "Mario", "Rossi", "M", "10/12/1985", "", "", ""),
		row("2", "", "Rossi", "Mario", "M", "10/12/1985", "", "", ""),
	}
	for _, tt := range []struct {
		name   string
		schema string
		same   bool
	}{{"shared key", shared, true}, {"own keys", testSchema, false}} {
		d, _, _ := encodeAll(t, newTestEncoder(t, tt.schema, testSecret(1)), rows)
		g, s := d.Field("given_name"), d.Field("surname")
		d1 := dice(g.Filters.At(0), s.Filters.At(1))
		d2 := dice(s.Filters.At(0), g.Filters.At(1))
		if got := d1 == 1 && d2 == 1; got != tt.same {
			t.Errorf("%s: crossed Dice %.2f and %.2f, want identical filters %v", tt.name, d1, d2, tt.same)
		}
	}
}
