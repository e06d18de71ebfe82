package layers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/testdirs"
)

const module = "github.com/welfare-district/swd"

// rule: packages matching the prefix must not import (directly or not)
// packages matching any of the forbidden prefixes.
type rule struct {
	pkg       string
	forbidden []string
}

var rules = []rule{
	{module + "/linkage", []string{module + "/dp", module + "/io/", module + "/pipeline", module + "/cmd/"}},
	{module + "/dp", []string{module + "/linkage", module + "/pipeline", module + "/cmd/"}},
	{module + "/taxonomy", []string{module + "/linkage", module + "/dp", module + "/io/", module + "/pipeline", module + "/cmd/"}},
	{module + "/io/", []string{module + "/dp", module + "/cmd/", module + "/pipeline"}},
	// The public steps join linkage, dp and io, which never import them;
	// they import neither the command nor the benchmarks (cgo).
	{module + "/pipeline", []string{module + "/cmd/", module + "/bench"}},
	{module + "/internal/bitvec", []string{module + "/"}},
	{module + "/internal/aesbatch", []string{module + "/"}},
}

type listed struct {
	ImportPath string
	Deps       []string
}

// goList lists the packages matching pattern, run in dir, with their
// transitive dependencies. Any failure of go list is an error: an import
// cycle, a package that does not parse, a missing go command. The layer
// check must fail then, never pass on a listing it could not make.
func goList(dir, pattern string) ([]listed, error) {
	cmd := exec.Command("go", "list", "-json=ImportPath,Deps", pattern)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %w\n%s", pattern, err, stderr.String())
	}
	var pkgs []listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listed
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("go list %s: %w", pattern, err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		return nil, errors.New("go list " + pattern + ": no packages")
	}
	return pkgs, nil
}

// violations returns one line per import that breaks a rule, and one per
// rule that matched no package at all (a renamed or misspelt prefix would
// otherwise make its rule pass without checking anything).
func violations(pkgs []listed, rules []rule) []string {
	var out []string
	for _, r := range rules {
		matched := false
		for _, p := range pkgs {
			if !strings.HasPrefix(p.ImportPath, r.pkg) {
				continue
			}
			matched = true
			for _, d := range p.Deps {
				for _, f := range r.forbidden {
					if strings.HasPrefix(d, f) && !strings.HasPrefix(d, r.pkg) {
						out = append(out, fmt.Sprintf("%s imports %s (forbidden by the layer rules)", p.ImportPath, d))
					}
				}
			}
		}
		if !matched {
			out = append(out, fmt.Sprintf("rule for %s matches no package", r.pkg))
		}
	}
	return out
}

func TestImportLayers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	pkgs, err := goList(testdirs.ModuleRoot(t), module+"/...")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range violations(pkgs, rules) {
		t.Error(v)
	}
}

// TestGoListFailsOnCycle runs the listing on a module with an import
// cycle: it must be an error, so TestImportLayers fails on a cycle in swd.
func TestGoListFailsOnCycle(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	dir := t.TempDir()
	for name, src := range map[string]string{
		"go.mod":  "module example.com/cyc\n\ngo 1.26\n",
		"a/a.go":  "package a\n\nimport _ \"example.com/cyc/b\"\n",
		"b/b.go":  "package b\n\nimport _ \"example.com/cyc/a\"\n",
		"c/c.go":  "package c\n",
		"c/c2.go": "package c\n",
	} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pkgs, err := goList(dir, "example.com/cyc/...")
	if err == nil || !strings.Contains(err.Error(), "import cycle") {
		t.Fatalf("listing a module with an import cycle: %d packages, err %v", len(pkgs), err)
	}
	if _, err := goList(dir, "example.com/cyc/c"); err != nil {
		t.Fatalf("listing the package outside the cycle: %v", err)
	}
}

func TestViolations(t *testing.T) {
	rs := []rule{
		{module + "/linkage", []string{module + "/dp", module + "/io/"}},
		{module + "/io/", []string{module + "/dp"}},
	}
	tests := []struct {
		name string
		pkgs []listed
		want []string
	}{
		{"clean", []listed{
			{module + "/linkage/model", []string{module + "/internal/bitvec", module + "/linkage/encoding"}},
			{module + "/io/table", []string{module + "/internal/base"}},
		}, nil},
		{"forbidden dependency", []listed{
			{module + "/linkage/model", []string{module + "/dp", "fmt"}},
			{module + "/io/table", nil},
		}, []string{module + "/linkage/model imports " + module + "/dp (forbidden by the layer rules)"}},
		{"own subtree is allowed", []listed{
			{module + "/linkage", nil},
			{module + "/io/encfile", []string{module + "/io/table"}},
		}, nil},
		{"rule matching nothing", []listed{
			{module + "/linkage", nil},
		}, []string{"rule for " + module + "/io/ matches no package"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := violations(tt.pkgs, rs)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
