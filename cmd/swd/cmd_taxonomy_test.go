package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTaxonomyList(t *testing.T) {
	code, out, errOut := runCLI(t, "taxonomy", "list", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var l struct {
		Version   string `json:"version"`
		Needs     []struct{ Code string }
		Quartieri []struct{ Code int }
		Consulte  []struct{ Code string }
		Maps      map[string]any `json:"code_maps"`
		Comuni    []struct {
			IstatCode string `json:"istat_code"`
		} `json:"municipalities"`
	}
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatal(err)
	}
	if l.Version == "" || len(l.Needs) < 10 || len(l.Quartieri) != 6 || len(l.Consulte) != 10 || len(l.Maps) != 5 || len(l.Comuni) != 102 {
		t.Fatalf("listing incomplete: %+v", l)
	}
	if code, out, _ := runCLI(t, "taxonomy", "list"); code != ExitOK || !strings.Contains(out, "Sud-Ovest") || !strings.Contains(out, "poverta-disagio-adulti") {
		t.Fatalf("text listing: %d %s", code, out)
	}
}

func TestTaxonomyCheck(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "caritas.csv")
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(in, "record_id;nome;bisogni\n1;Mario;POV;ALIM\n2;Anna;\"ABI;NUOVO\"\n3;Luca;NUOVO\n4;Sara;casa\n")
	// ';' separated with a quoted field: rows 1 is ragged (4 fields) and counted as malformed.
	good := filepath.Join(dir, "good.csv")
	write(good, "record_id,bisogni\n1,POV;ALIM\n2,casa;OCC\n")
	mapFile := filepath.Join(dir, "caritas.yaml")
	write(mapFile, "partner: caritas\nversion: x\ncodes:\n  NUOVO: [casa]\n")
	tests := []struct {
		name string
		args []string
		want int
		out  []string
		not  []string
	}{
		{"report", []string{"--partner", "caritas", "--in", in}, ExitOK, []string{"NUOVO", "2", "1 malformed"}, []string{"Mario", "Anna"}},
		{"fail", []string{"--partner", "caritas", "--in", in, "--unknown", "fail"}, ExitInput, []string{"NUOVO"}, []string{"Luca"}},
		{"all known", []string{"--partner", "caritas", "--in", good, "--unknown", "fail"}, ExitOK, []string{"all codes known"}, nil},
		{"extra map", []string{"--map", mapFile, "--in", in, "--unknown", "fail"}, ExitInput, []string{"ABI"}, nil},
		{"map partner mismatch", []string{"--partner", "acli", "--map", mapFile, "--in", in}, ExitUsage, nil, nil},
		{"bad column", []string{"--partner", "caritas", "--in", in, "--column", "needs"}, ExitInput, []string{"needs"}, nil},
		{"bad policy", []string{"--partner", "caritas", "--in", in, "--unknown", "ignore"}, ExitUsage, nil, nil},
		{"missing in", []string{"--partner", "caritas"}, ExitUsage, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"taxonomy", "check"}, tt.args...)...)
			if code != tt.want {
				t.Fatalf("exit %d want %d: %s %s", code, tt.want, out, errOut)
			}
			for _, s := range tt.out {
				if !strings.Contains(out+errOut, s) {
					t.Errorf("output lacks %q: %s %s", s, out, errOut)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(out+errOut, s) {
					t.Errorf("output leaks %q", s)
				}
			}
		})
	}
}
