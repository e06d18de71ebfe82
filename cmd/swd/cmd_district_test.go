package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDistrictInitAndCheck(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "district.yaml")
	code, out, _ := runCLI(t, "district", "init", "--out", p)
	if code != ExitOK || !strings.Contains(out, "next: edit the partners") {
		t.Fatalf("init: exit %d, %q", code, out)
	}
	if code, _, _ := runCLI(t, "district", "init", "--out", p); code != ExitUsage {
		t.Fatalf("init over an existing file: exit %d", code)
	}
	if code, _, errOut := runCLI(t, "district", "init", "--out", filepath.Join(dir, "nope", "d.yaml")); code != ExitUsage || !strings.Contains(errOut, "does not exist") {
		t.Fatalf("init into a missing directory: exit %d, %q", code, errOut)
	}
	code, out, _ = runCLI(t, "district", "check", p)
	if code != ExitOK || !strings.Contains(out, "comune           public-service") || !strings.Contains(out, "caritas          third-sector") {
		t.Fatalf("check: exit %d\n%s", code, out)
	}
	b, _ := os.ReadFile(p)
	bad := strings.Replace(string(b), "role: third-sector", "role: volunteer", 1)
	if err := os.WriteFile(p, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "district", "check", p); code != ExitInput || !strings.Contains(errOut, `role "volunteer"`) {
		t.Fatalf("check of a bad role: exit %d, %q", code, errOut)
	}
}
