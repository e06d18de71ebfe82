//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlotFrom draws the plot of earlier JSON lines without running a size,
// and refuses a file without results.
func TestPlotFrom(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "scale.jsonl")
	lines := `{"records":1001161,"wall_s":52.3,"cpu_s":61.1,"peak_rss_bytes":1479229440}
{"records":2005413,"wall_s":122.6,"cpu_s":175.2,"peak_rss_bytes":2854727680}
`
	if err := os.WriteFile(in, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "scale.svg")
	if err := plotFrom(in, out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "<circle"); n != 4 {
		t.Fatalf("%d points drawn, want 2 sizes × (time, memory) = 4", n)
	}
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := plotFrom(empty, out); err == nil {
		t.Fatal("no error for a file without results")
	}
	if err := plotFrom(in, ""); err == nil {
		t.Fatal("no error without -svg")
	}
}
