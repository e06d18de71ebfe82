package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/pipeline"
)

func TestKeygen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.secret")
	code, stdout, stderr := runCLI(t, "keygen", "--out", path)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, mode %v", err, st.Mode())
	}
	b, _ := os.ReadFile(path)
	if len(strings.TrimSpace(string(b))) != 64 {
		t.Errorf("secret is not 64 hex digits")
	}
	if strings.Contains(stdout, strings.TrimSpace(string(b))) {
		t.Error("keygen printed the secret")
	}
	s, err := pipeline.ReadSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, s.KeyCheck()) {
		t.Errorf("key check value not printed: %s", stdout)
	}
	if code, _, stderr := runCLI(t, "keygen", "--out", path); code != ExitUsage || !strings.Contains(stderr, "refusing to overwrite") {
		t.Errorf("overwrite: exit %d %s", code, stderr)
	}
	if code, _, _ := runCLI(t, "keygen"); code != ExitUsage {
		t.Errorf("missing --out: exit %d", code)
	}
	other := filepath.Join(dir, "other.secret")
	runCLI(t, "keygen", "--out", other)
	s2, _ := pipeline.ReadSecret(other)
	if s2 == s {
		t.Error("two keygens gave the same secret")
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.ReadSecret(path); err == nil {
		t.Error("a group-readable secret was accepted")
	}
}
