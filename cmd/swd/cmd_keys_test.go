package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeysNewShow(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "caritas")
	code, out, errs := runCLI(t, "-q", "keys", "new", "--out", prefix)
	if code != ExitOK {
		t.Fatalf("keys new: %d %s", code, errs)
	}
	id := strings.Fields(out)[0]
	st, err := os.Stat(prefix + ".key")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", err, st.Mode())
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"show public", []string{"keys", "show", prefix + ".pub"}, ExitOK, id + "  caritas  public"},
		{"show private", []string{"keys", "show", prefix + ".key"}, ExitOK, id + "  caritas  private"},
		{"refuse overwrite", []string{"keys", "new", "--out", prefix}, ExitUsage, "already exists"},
		{"bad name", []string{"keys", "new", "--out", filepath.Join(dir, "x"), "--name", "no spaces"}, ExitUsage, "--name"},
		{"missing out", []string{"keys", "new"}, ExitUsage, "--out"},
		{"show missing", []string{"keys", "show", filepath.Join(dir, "nope.pub")}, ExitUsage, "nope.pub"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, append([]string{"-q"}, tc.args...)...)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Fatalf("code %d, out %q, err %q; want %d and %q", code, out, errs, tc.code, tc.want)
			}
		})
	}
	if err := os.Chmod(prefix+".key", 0o640); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "keys", "show", prefix+".key"); code != ExitIntegrity || !strings.Contains(errs, "chmod 600") {
		t.Fatalf("group-readable key: %d %s", code, errs)
	}
}
