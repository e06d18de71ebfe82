package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The shared fixtures of testdata/ (see testdata/README.md).
var (
	// fixturePartners are the partners of testdata/synth, one export each.
	fixturePartners = []string{"comune", "ulss6", "caritas", "acli", "cgil"}
	// fixtureSynthArgs is the swd synth command line that wrote
	// testdata/synth (without --out).
	fixtureSynthArgs = []string{"synth", "--households", "200", "--seed", "2026", "--corruption", "medium"}
)

// fixtureExports is the directory of the shared synthetic exports.
func fixtureExports(t *testing.T) string {
	t.Helper()
	return repoPath(t, "testdata/synth")
}

// TestSharedFixturesReproduce regenerates testdata/synth with the command
// its README gives and compares the bytes: the fixtures are what the
// README says, and a change to the generator that alters them is seen
// here (then regenerate them and the golden files, see testdata/README.md).
func TestSharedFixturesReproduce(t *testing.T) {
	out := filepath.Join(t.TempDir(), "synth")
	if code, _, errs := runCLI(t, append(append([]string{"-q"}, fixtureSynthArgs...), "--out", out)...); code != ExitOK {
		t.Fatalf("synth: exit %d: %s", code, errs)
	}
	want := append(slices.Clone(fixturePartners), "truth")
	for _, dir := range []string{out, fixtureExports(t)} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		var wantFiles []string
		for _, n := range want {
			wantFiles = append(wantFiles, n+".csv")
		}
		slices.Sort(wantFiles)
		if !slices.Equal(names, wantFiles) {
			t.Fatalf("%s holds %v, want %v", dir, names, wantFiles)
		}
	}
	for _, n := range want {
		got := readBytes(t, filepath.Join(out, n+".csv"))
		if fixture := readBytes(t, filepath.Join(fixtureExports(t), n+".csv")); !bytes.Equal(got, fixture) {
			t.Errorf("testdata/synth/%s.csv differs from what %v writes: regenerate it (testdata/README.md)", n, fixtureSynthArgs)
		}
	}
}
