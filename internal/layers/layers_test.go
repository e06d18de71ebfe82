package layers

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/welfare-district/swd"

// rules: packages matching the prefix must not import (directly or not)
// packages matching any of the forbidden prefixes.
var rules = []struct {
	pkg       string
	forbidden []string
}{
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

func TestImportLayers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-json=ImportPath,Deps", module+"/...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p listed
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		for _, r := range rules {
			if !strings.HasPrefix(p.ImportPath, r.pkg) {
				continue
			}
			for _, d := range p.Deps {
				for _, f := range r.forbidden {
					if strings.HasPrefix(d, f) && !strings.HasPrefix(d, r.pkg) {
						t.Errorf("%s imports %s (forbidden by the layer rules)", p.ImportPath, d)
					}
				}
			}
		}
	}
}
