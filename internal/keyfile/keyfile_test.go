package keyfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
)

func TestReadRefusesOpenPermissions(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "k")
	if err := Write(p, []byte("TOPSECRET"), false); err != nil {
		t.Fatal(err)
	}
	b, err := Read(p)
	if err != nil || string(b) != "TOPSECRET" {
		t.Fatalf("read %q %v", b, err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Read(p)
	if !errors.Is(err, base.ErrInsecure) {
		t.Fatalf("want ErrInsecure, got %v", err)
	}
	if strings.Contains(err.Error(), "TOPSECRET") {
		t.Fatal("secret leaked into error")
	}
	if err := Write(p, []byte("x"), false); !errors.Is(err, base.ErrUsage) {
		t.Fatalf("overwrite not refused: %v", err)
	}
}
