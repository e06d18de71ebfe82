package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInspect(t *testing.T) {
	dir, secret, in := encodeFixture(t)
	out := filepath.Join(dir, "p.swd.parquet")
	if code, _, stderr := runCLI(t, "encode", "-q", "--schema", repoPath(t, "docs/examples/synth/schema.yaml"),
		"--secret", secret, "--partner", "acli", "--in", in, "--out", out); code != ExitOK {
		t.Fatalf("encode: %s", stderr)
	}
	code, stdout, stderr := runCLI(t, "inspect", "--json", out)
	if code != ExitOK {
		t.Fatalf("inspect: %d %s", code, stderr)
	}
	var doc struct {
		Partner string `json:"partner"`
		Rows    int    `json:"rows"`
		Summary struct {
			Records int `json:"records"`
			CLK     struct {
				Bits, Min, Max int
			} `json:"clk"`
			Fields []struct {
				Name       string  `json:"name"`
				EmptyShare float64 `json:"empty_share"`
			} `json:"fields"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("inspect --json: %v\n%s", err, stdout)
	}
	if doc.Partner != "acli" || doc.Rows != 3 || doc.Summary.Records != 3 || doc.Summary.CLK.Bits != 1024 ||
		doc.Summary.CLK.Min == 0 || len(doc.Summary.Fields) != 9 {
		t.Errorf("inspect document %+v", doc)
	}
	assertNoCanary(t, "inspect --json", stdout)

	truncated := filepath.Join(dir, "truncated.swd.parquet")
	b, _ := os.ReadFile(out)
	writeFile(t, truncated, string(b[:len(b)/2]), 0o644)
	tests := []struct {
		name, path string
		code       int
		msg        string
	}{
		{"missing file", filepath.Join(dir, "none.swd.parquet"), ExitInput, "none.swd.parquet"},
		{"truncated file", truncated, ExitInput, "truncated.swd.parquet"},
		{"not parquet", in, ExitInput, "export.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "inspect", tt.path)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d (want %d): %s", code, tt.code, stderr)
			}
		})
	}
	if code, _, _ := runCLI(t, "inspect"); code != ExitUsage {
		t.Errorf("no argument: exit %d", code)
	}
}
