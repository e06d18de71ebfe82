// Package leaktest helps tests check that errors about input never quote
// the input: it plants a recognisable marker in inputs, corrupts them in
// many ways, and asserts that no error text holds any four consecutive
// bytes of the marker.
package leaktest

import (
	"bytes"
	"strings"
	"testing"
)

// Marker stands for personal data: tests fill the cells of their inputs
// with it before corrupting them.
const Marker = "QZJXKWQVZJXK"

// Window is the shortest run of Marker's bytes that counts as a leak: a
// truncated Parquet file used to give `invalid magic footer of parquet
// file: "NOME"`, its last four bytes.
const Window = 4

// AssertNoMarker fails the test if msg holds Window consecutive bytes of
// Marker.
func AssertNoMarker(t testing.TB, what, msg string) {
	t.Helper()
	if leak := Leak(msg); leak != "" {
		t.Fatalf("%s: the error quotes the input (%q): %s", what, leak, msg)
	}
}

// Leak returns the first run of Window bytes of Marker found in msg, or "".
func Leak(msg string) string {
	for i := 0; i+Window <= len(Marker); i++ {
		if strings.Contains(msg, Marker[i:i+Window]) {
			return Marker[i : i+Window]
		}
	}
	return ""
}

// Corruptions returns about 3·n corrupt copies of data: cut at n lengths
// and at each of its last 8 bytes (so that it ends in the middle of its
// cells), with a byte flipped at n positions, and overwritten with Marker
// at n positions in [from, to) (to ≤ 0: the end of data).
func Corruptions(data []byte, n, from, to int) [][]byte {
	if to <= 0 || to > len(data) {
		to = len(data)
	}
	step := max(1, len(data)/max(n, 1))
	var out [][]byte
	for n := 0; n < len(data); n += step {
		out = append(out, data[:n])
	}
	for k := 1; k <= 8 && k < len(data); k++ {
		out = append(out, data[:len(data)-k])
	}
	for p := 0; p < len(data); p += step {
		b := bytes.Clone(data)
		b[p] ^= []byte{0xff, 0x80, 0x01, 0x10}[p/step%4]
		out = append(out, b)
	}
	for p := from; p < to; p += max(1, (to-from)/max(n, 1)) {
		c := bytes.Clone(data)
		copy(c[p:], Marker)
		out = append(out, c)
	}
	return out
}
