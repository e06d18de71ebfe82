package table

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
)

// TestRejectedCell: the cells of a line rejected for a stray quote that
// can still be read for certain (those before the field at fault; those
// after it when the line splits on the delimiter unambiguously), and none
// that could be another cell's value.
func TestRejectedCell(t *testing.T) {
	const header = "nome;record_id;cognome;nascita\n"
	tests := []struct {
		name string
		line string
		want []string // per column: the cell, or "-" when it must not be read
	}{
		{"id before a bare quote", `Luca;ID1;Ro"ssi;1990`, []string{"Luca", "ID1", "-", "1990"}},
		{"id before text after a closing quote", `Luca;ID2;"Ro"ssi;1990`, []string{"Luca", "ID2", "-", "1990"}},
		{"id before an unclosed quote", `Luca;ID3;"Rossi;1990`, []string{"Luca", "ID3", "-", "1990"}},
		{"id after a bare quote", `Lu"ca;ID4;Rossi;1990`, []string{"-", "ID4", "Rossi", "1990"}},
		{"id after text after a closing quote", `"Lu"ca;ID5;Rossi;1990`, []string{"-", "ID5", "Rossi", "1990"}},
		{"id after an unclosed quote", `"Luca;ID6;Rossi;1990`, []string{"-", "ID6", "Rossi", "1990"}},
		{"id after an unclosed quote holding a delimiter", `"Lu;ca;ID6b;Rossi;1990`, []string{"-", "-", "-", "-"}},
		{"id itself broken", `Luca;I"D7;Rossi;1990`, []string{"Luca", "-", "Rossi", "1990"}},
		{"id itself unclosed", `Luca;"ID8;Rossi;1990`, []string{"Luca", "-", "Rossi", "1990"}},
		{"unclosed quote running on to the end", "Luca;ID15;\"Ros\nsi;1990", []string{"Luca", "ID15", "-", "-"}},
		{"quote that may hold a delimiter", `"Lu;ca"x;ID9;Rossi`, []string{"-", "-", "-", "-"}},
		{"a well-quoted field before", `"Luca";ID10;Ro"ssi;1990`, []string{"Luca", "ID10", "-", "-"}},
		{"a quote after the id too", `Lu"ca;ID11;Ros"si;1990`, []string{"-", "-", "-", "-"}},
		{"a field missing", `Lu"ca;ID12;1990`, []string{"-", "-", "-", "-"}},
		{"trailing empty fields", `Lu"ca;ID13;Rossi;1990;;`, []string{"-", "ID13", "Rossi", "1990"}},
		{"a field too many", `Lu"ca;ID14;Rossi;1990;x`, []string{"-", "-", "-", "-"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The line is the second of three: what is read of it must
			// not leak into the rows around it, nor theirs into it.
			data := header + "Anna;A0;Bianchi;1980\n" + tc.line + "\n" + "Marco;A2;Verdi;1970\n"
			r, err := Open(writeTemp(t, "x.csv", []byte(data)), Options{Delimiter: ';'})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if _, _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
			if _, ok := RejectedCellOf(r, 1); ok {
				t.Fatal("a cell of a row that was not rejected")
			}
			_, _, err = r.Next()
			var ie *base.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("the line was not rejected: %v", err)
			}
			for i, want := range tc.want {
				got, ok := RejectedCellOf(r, i)
				switch {
				case want == "-" && ok:
					t.Errorf("column %d: read %q, want nothing", i, got)
				case want != "-" && (!ok || got != want):
					t.Errorf("column %d: %q, %v; want %q", i, got, ok, want)
				}
			}
			for _, i := range []int{-1, 4} {
				if _, ok := RejectedCellOf(r, i); ok {
					t.Errorf("column %d read", i)
				}
			}
			if strings.Contains(tc.line, "\n") { // the second line is a row of its own
				if _, _, err := r.Next(); !errors.As(err, &ie) {
					t.Fatalf("the line after: %v", err)
				}
			}
			if row, _, err := r.Next(); err != nil || strings.Join(row, ";") != "Marco;A2;Verdi;1970" {
				t.Fatalf("the next row: %q, %v", row, err)
			}
			if _, ok := RejectedCellOf(r, 1); ok {
				t.Fatal("a cell of the rejected row read after the next row")
			}
			if _, _, err := r.Next(); err != io.EOF {
				t.Fatalf("end: %v", err)
			}
		})
	}
}
