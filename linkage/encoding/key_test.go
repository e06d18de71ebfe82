package encoding

import (
	"math/bits"
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
		// The CLK keeps the two fields apart: the swapped record's CLK
		// differs (clkPermutation), as it does with their own keys.
		if c := dice(d.CLK.At(0), d.CLK.At(1)); c == 1 {
			t.Errorf("%s: the CLKs of the two records are identical", tt.name)
		}
	}
}

// TestCLKPermutation checks that clkPermutation is a permutation, depends
// on its key, and that permuteBits moves each bit where it says.
func TestCLKPermutation(t *testing.T) {
	p1 := clkPermutation(testSecret(1).Key("a"), 1024)
	p2 := clkPermutation(testSecret(1).Key("b"), 1024)
	seen := make([]bool, len(p1))
	same := 0
	for i, q := range p1 {
		if seen[q] {
			t.Fatalf("position %d taken twice", q)
		}
		seen[q] = true
		if p2[i] == q {
			same++
		}
	}
	if same > 10 {
		t.Errorf("two keys' permutations agree on %d of 1024 positions", same)
	}
	v := make([]uint64, 16)
	for _, b := range []int{0, 63, 64, 500, 1023} {
		v[b>>6] |= 1 << (b & 63)
	}
	permuteBits(v, make([]uint64, 16), p1)
	for _, b := range []int{0, 63, 64, 500, 1023} {
		q := p1[b]
		if v[q>>6]&(1<<(q&63)) == 0 {
			t.Errorf("bit %d did not move to %d", b, q)
		}
	}
	n := 0
	for _, w := range v {
		n += bits.OnesCount64(w)
	}
	if n != 5 {
		t.Errorf("%d bits set after the permutation, want 5", n)
	}
}
