package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSynthFlags(t *testing.T) {
	out := t.TempDir()
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"bad corruption", []string{"synth", "--out", out, "--corruption", "extreme"}, ExitUsage},
		{"no out", []string{"synth", "--households", "10"}, ExitUsage},
		{"zero households", []string{"synth", "--out", out, "--households", "0"}, ExitUsage},
		{"not a number", []string{"synth", "--out", out, "--households", "many"}, ExitUsage},
		{"negative seed", []string{"synth", "--out", out, "--seed", "-1"}, ExitUsage},
		{"unknown flag", []string{"synth", "--out", out, "--colour"}, ExitUsage},
		{"stray argument", []string{"synth", "--out", out, "extra"}, ExitUsage},
		{"partner name with a path", []string{"synth", "--out", out, "--partners", "comune,../x"}, ExitUsage},
		{"duplicate partner", []string{"synth", "--out", out, "--partners", "acli,acli"}, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != tt.want {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.want, stderr)
			}
			if left, _ := os.ReadDir(out); len(left) != 0 {
				t.Fatalf("files written on a usage error: %v", left)
			}
		})
	}
}

func TestSynthWrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	args := []string{"synth", "--households", "300", "--seed", "7", "--corruption", "none", "--partners", "comune,caritas,emergency", "--out", dir}
	code, stdout, stderr := runCLI(t, args...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"comune.csv", "caritas.csv", "emergency.csv", "truth.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if !strings.Contains(stdout, "emergency") || !strings.Contains(stdout, "third-sector") {
		t.Errorf("summary: %s", stdout)
	}
	first, _ := os.ReadFile(filepath.Join(dir, "truth.csv"))
	if code, _, _ := runCLI(t, append(args, "--quiet")...); code != ExitOK {
		t.Fatal("second run failed")
	}
	again, _ := os.ReadFile(filepath.Join(dir, "truth.csv"))
	if !bytes.Equal(first, again) {
		t.Error("same seed wrote different bytes")
	}
}
