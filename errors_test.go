package swd_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/welfare-district/swd"
	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/io/envelope"
	"github.com/welfare-district/swd/io/table"
	"github.com/welfare-district/swd/linkage/schema"
)

// TestMarksAcrossTheReexport checks, from outside the module's internal
// packages, that errors returned by public packages match the marks of
// package swd with errors.Is and errors.As.
func TestMarksAcrossTheReexport(t *testing.T) {
	dir := t.TempDir()
	ragged := filepath.Join(dir, "ragged.csv")
	if err := os.WriteFile(ragged, []byte("record_id,nome\n1,a\n2,b,extra\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.csv")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("row-level InputError", func(t *testing.T) {
		r, err := table.Open(ragged, table.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var rowErr error
		for rowErr == nil {
			_, _, rowErr = r.Next()
		}
		err = fmt.Errorf("reading: %w", rowErr)
		var ie *swd.InputError
		if !errors.As(err, &ie) || ie.File != ragged || ie.Row != 2 {
			t.Fatalf("errors.As(%v) = %+v", err, ie)
		}
		if !errors.Is(err, swd.ErrInvalidInput) {
			t.Fatalf("%v is not swd.ErrInvalidInput", err)
		}
		for _, other := range []error{swd.ErrUsage, swd.ErrIntegrity, swd.ErrInsecure} {
			if errors.Is(err, other) {
				t.Fatalf("%v matches %v too", err, other)
			}
		}
	})
	t.Run("file-level mark", func(t *testing.T) {
		_, err := table.Open(empty, table.Options{})
		if !errors.Is(err, swd.ErrInvalidInput) {
			t.Fatalf("opening an empty file: %v is not swd.ErrInvalidInput", err)
		}
	})
	t.Run("sealed file", func(t *testing.T) {
		me, err := identity.Generate("unit", rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		_, err = envelope.Open(io.Discard, bytes.NewReader([]byte("not an envelope")), me, identity.NewKeyring())
		if !errors.Is(err, swd.ErrIntegrity) || errors.Is(err, swd.ErrInvalidInput) {
			t.Fatalf("opening garbage: %v is not (only) swd.ErrIntegrity", err)
		}
	})
	t.Run("schema", func(t *testing.T) {
		_, err := schema.Parse([]byte("fields: [{name: x, kind: no-such-kind}]"))
		if !errors.Is(err, swd.ErrInvalidInput) {
			t.Fatalf("parsing a bad schema: %v is not swd.ErrInvalidInput", err)
		}
	})
}

// TestInputErrorIsTheBaseType checks that a value built through the alias
// is the type the library returns, with the same message rules.
func TestInputErrorIsTheBaseType(t *testing.T) {
	var err error = &swd.InputError{File: "a.csv", Row: 3, Column: "nome", Reason: "invalid UTF-8"}
	if got, want := err.Error(), `a.csv: row 3: column "nome": invalid UTF-8`; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, swd.ErrInvalidInput) {
		t.Fatal("an InputError must be an ErrInvalidInput")
	}
}
