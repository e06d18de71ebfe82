// Package testdirs finds the module root and the shared public benchmark
// data sets (../shared/datasets beside the clone) for tests, benchmarks and
// bench commands. A user's clone has no shared data sets: tests skip.
package testdirs

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FindModuleRoot walks up from the working directory to the directory
// holding go.mod.
func FindModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// ModuleRoot is FindModuleRoot for tests: it fails the test when there is
// no module root.
func ModuleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := FindModuleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

// SharedDatasets returns ../shared/datasets beside the module root, and
// skips the test when it is absent.
func SharedDatasets(tb testing.TB) string {
	tb.Helper()
	ds := filepath.Join(ModuleRoot(tb), "..", "shared", "datasets")
	if _, err := os.Stat(ds); err != nil {
		tb.Skip("shared datasets absent (../shared/datasets)")
	}
	return ds
}

// SharedFile returns the path of rel inside ../shared/datasets. It skips
// the test when the shared data sets are absent, as SharedDatasets does,
// and fails it when they are present but rel is not: a file missing from
// the data sets is a broken setup, not a reason to pass.
func SharedFile(tb testing.TB, rel string) string {
	tb.Helper()
	path := filepath.Join(SharedDatasets(tb), rel)
	if _, err := os.Stat(path); err != nil {
		tb.Fatalf("shared data set file missing: %v", err)
	}
	return path
}

// ReadCSV reads a whole CSV file (a test's own output or fixture), failing
// the test on any error.
func ReadCSV(tb testing.TB, path string) [][]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return rows
}
