package base

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
)

func TestSafeDetail(t *testing.T) {
	_, statErr := os.Stat("/no/such/file")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"decoder message", errors.New(`invalid magic footer of parquet file: "NOME"`), ""},
		{"wrapped decoder message", fmt.Errorf("reading: %w", errors.New(`bad value "ROSSI"`)), ""},
		{"safe", fmt.Errorf("x: %w", Safef("column %s: value of %d bytes", "clk", 3)), "column clk: value of 3 bytes"},
		{"input error", &InputError{File: "f", Row: 2, Reason: "not a number"}, "not a number"},
		{"csv", &csv.ParseError{StartLine: 3, Line: 3, Column: 7, Err: csv.ErrBareQuote}, `line 3, character 7: bare " in non-quoted-field`},
		{"csv, other cause", &csv.ParseError{Line: 3, Column: 7, Err: errors.New("ROSSI")}, "line 3, character 7"},
		{"unexpected EOF", fmt.Errorf("page: %w", io.ErrUnexpectedEOF), "unexpected EOF"},
		{"EOF", io.EOF, "unexpected end of file"},
		{"os", statErr, "stat /no/such/file: no such file or directory"},
		{"nil", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SafeDetail(tt.err); got != tt.want {
				t.Fatalf("got %q want %q", got, tt.want)
			}
		})
	}
	var rt error
	func() {
		defer func() { rt, _ = recover().(error) }()
		var s []int
		_ = s[len(os.Args)+3]
	}()
	if got := PanicDetail(rt); got == "" || PanicDetail("value ROSSI") != "" {
		t.Fatalf("panic details: %q", got)
	}
}

func TestRedactQuoted(t *testing.T) {
	tests := []struct{ in, want string }{
		{"yaml: unmarshal errors:\n  line 2: cannot unmarshal !!str `ROSSI M...` into int", "yaml: unmarshal errors:\n  line 2: cannot unmarshal !!str `…` into int"},
		{`unknown anchor 'ROSSI' referenced`, `unknown anchor '…' referenced`},
		{`line 4: did not find expected ',' or ']'`, `line 4: did not find expected ',' or ']'`},
		{`value "ROSSI" and "BIANCHI"`, `value "…" and "…"`},
		{"line 3: field nmae not found in type schema.Field", "line 3: field nmae not found in type schema.Field"},
		{`unterminated "quote`, `unterminated "quote`},
	}
	for _, tt := range tests {
		if got := RedactQuoted(tt.in); got != tt.want {
			t.Errorf("RedactQuoted(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactYAML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"line 3: field fileds not found in type schema.shadowSchema", "line 3: field fileds not found in type schema.shadowSchema"},
		{"line 1: field 1,ROSSI,Via Roma not found in type schema.shadowSchema", "line 1: field … not found in type schema.shadowSchema"},
		{"line 1: field ROSSI not found in type x", "line 1: field … not found in type x"},
		{"line 2: cannot unmarshal !!str `ROSSI M...` into int", "line 2: cannot unmarshal !!str `…` into int"},
	}
	for _, tt := range tests {
		if got := RedactYAML(tt.in); got != tt.want {
			t.Errorf("RedactYAML(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
