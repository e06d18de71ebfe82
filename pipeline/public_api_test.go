package pipeline_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestExamplesUsePublicAPIOnly keeps the examples honest: they show what a
// program outside the module can do, so they are in package pipeline_test
// and import no internal package (which such a program could not).
func TestExamplesUsePublicAPIOnly(t *testing.T) {
	files, err := filepath.Glob("example*_test.go")
	if err != nil || len(files) < 2 {
		t.Fatalf("example files %v: %v", files, err)
	}
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name.Name != "pipeline_test" {
			t.Errorf("%s is package %s, not pipeline_test", name, f.Name.Name)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(path, "/internal/") || strings.HasSuffix(path, "/internal") {
				t.Errorf("%s imports %s, which a program outside the module cannot", name, path)
			}
		}
	}
}
