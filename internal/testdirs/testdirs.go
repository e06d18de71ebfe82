// Package testdirs finds the module root and the shared public benchmark
// data sets (../shared/datasets beside the clone) for tests, benchmarks and
// bench commands. A user's clone has no shared data sets: tests skip.
package testdirs

import (
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
