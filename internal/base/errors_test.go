package base

import (
	"errors"
	"fmt"
	"testing"
)

func TestMark(t *testing.T) {
	inner := errors.New("boom")
	err := fmt.Errorf("reading x: %w", Mark(inner, ErrInvalidInput))
	if !errors.Is(err, ErrInvalidInput) || !errors.Is(err, inner) {
		t.Fatalf("marks lost: %v", err)
	}
	if errors.Is(err, ErrUsage) {
		t.Fatal("wrong mark matched")
	}
	if err.Error() != "reading x: boom" {
		t.Fatalf("message changed: %q", err.Error())
	}
	if Mark(nil, ErrUsage) != nil {
		t.Fatal("Mark(nil) must be nil")
	}
}

func TestInputError(t *testing.T) {
	tests := []struct {
		e    InputError
		want string
	}{
		{InputError{File: "a.csv", Row: 3, Column: "nome", Reason: "invalid UTF-8"}, `a.csv: row 3: column "nome": invalid UTF-8`},
		{InputError{File: "a.csv", Reason: "empty file"}, `a.csv: empty file`},
		{InputError{File: "a.csv", Row: 3, Line: 5, Char: 7, Column: "nome", Reason: "stray quote"}, `a.csv: row 3 (line 5, character 7): column "nome": stray quote`},
		{InputError{File: "a.csv", Row: 3, Line: 5, Reason: "ragged"}, `a.csv: row 3 (line 5): ragged`},
		{InputError{File: "a.csv", Line: 1, Char: 4, Reason: "malformed header"}, `a.csv: line 1, character 4: malformed header`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.e.Error(); got != tt.want {
				t.Fatalf("got %q want %q", got, tt.want)
			}
			if !errors.Is(fmt.Errorf("x: %w", &tt.e), ErrInvalidInput) {
				t.Fatal("InputError must be ErrInvalidInput")
			}
		})
	}
}
