package base

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good"), filepath.Join(dir, "bad")
	if err := os.WriteFile(good, []byte("42"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("forty-two"), 0o600); err != nil {
		t.Fatal(err)
	}
	parse := func(b []byte) (int, error) { return strconv.Atoi(string(b)) }
	insecure := func(string) ([]byte, error) { return nil, Mark(errors.New("mode 0644"), ErrInsecure) }

	if n, err := LoadFile(good, "number", os.ReadFile, parse); err != nil || n != 42 {
		t.Fatalf("good file: %d, %v", n, err)
	}
	tests := []struct {
		name string
		path string
		read func(string) ([]byte, error)
		want string
		is   []error
	}{
		{"missing", filepath.Join(dir, "none"), os.ReadFile, "reading number: open " + filepath.Join(dir, "none") + ": no such file or directory", []error{fs.ErrNotExist}},
		{"read error keeps its mark", good, insecure, "reading number: mode 0644", []error{ErrInsecure}},
		{"parse error", bad, os.ReadFile, bad + `: strconv.Atoi: parsing "forty-two": invalid syntax`, []error{ErrInvalidInput, strconv.ErrSyntax}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := LoadFile(tt.path, "number", tt.read, parse)
			if err == nil || n != 0 || err.Error() != tt.want {
				t.Fatalf("got %d, %v; want error %q", n, err, tt.want)
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("%v is not %v", err, target)
				}
			}
			if len(tt.is) > 0 && tt.is[0] != ErrInvalidInput && errors.Is(err, ErrInvalidInput) {
				t.Errorf("a read error must not be marked invalid input: %v", err)
			}
		})
	}
}
