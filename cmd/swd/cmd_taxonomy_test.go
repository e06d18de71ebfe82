package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/welfare-district/swd/taxonomy"
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
		{"report", []string{"--partner", "caritas", "--in", in, "--min-count", "2"}, ExitOK, []string{"NUOVO", "2", "1 malformed"}, []string{"Mario", "Anna"}},
		{"rare hidden by default", []string{"--partner", "caritas", "--in", in}, ExitOK, []string{"<rare values>  2", "2 unknown code occurrence(s), 1 distinct"}, []string{"NUOVO"}},
		{"fail", []string{"--partner", "caritas", "--in", in, "--unknown", "fail", "--min-count", "2"}, ExitInput, []string{"NUOVO", "(1 distinct)"}, []string{"Luca"}},
		{"min count below the floor", []string{"--partner", "caritas", "--in", in, "--min-count", "1"}, ExitUsage, []string{"--min-count"}, nil},
		{"all known", []string{"--partner", "caritas", "--in", good, "--unknown", "fail"}, ExitOK, []string{"all codes known"}, nil},
		{"extra map", []string{"--map", mapFile, "--in", in, "--unknown", "fail"}, ExitInput, []string{"1 unknown code occurrence(s)", "<rare values>"}, []string{"ABI"}},
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

// A surname typed once into the needs column looks like a code; it must not
// be printed, while a real unknown code that recurs is. Neither stdout nor
// stderr, in text or JSON, holds the surname.
func TestTaxonomyCheckHidesRareValues(t *testing.T) {
	in := filepath.Join(t.TempDir(), "caritas.csv")
	var csv bytes.Buffer
	csv.WriteString("record_id,bisogni\n")
	for i := range 6 {
		fmt.Fprintf(&csv, "%d,POV;NUOVOCOD\n", i+1)
	}
	csv.WriteString("7,ALIM;BRAMBILLASCO\n")
	if err := os.WriteFile(in, csv.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	surname := []byte("BRAMBILLASCO")
	tests := []struct {
		name string
		args []string
		want *regexp.Regexp
	}{
		{"text", nil, regexp.MustCompile(`(?m)^<rare values>\s+1\s+\(1 distinct, each seen fewer than 5 times\)$`)},
		{"json", []string{"--json"}, regexp.MustCompile(`\{\s*"code": "\\u003crare values\\u003e",\s*"count": 1,\s*"distinct": 1\s*\}`)},
		{"fail", []string{"--unknown", "fail"}, regexp.MustCompile(`(?m)^<rare values>\s+1\s+`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"taxonomy", "check", "--partner", "caritas", "--in", in}, tt.args...)
			_, out, errOut := runCLI(t, args...)
			all := []byte(out + errOut)
			if bytes.Contains(bytes.ToUpper(all), surname) {
				t.Fatalf("the surname was printed:\n%s", all)
			}
			if !bytes.Contains(all, []byte("NUOVOCOD")) {
				t.Errorf("the recurring unknown code was not printed:\n%s", all)
			}
			if !tt.want.Match(all) {
				t.Errorf("output lacks %s:\n%s", tt.want, all)
			}
			if tt.name == "json" {
				var rep struct {
					Unknown  []taxonomy.UnknownCount `json:"unknown"`
					Distinct int                     `json:"unknown_distinct"`
					MinCount int                     `json:"min_count"`
				}
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatal(err)
				}
				want := []taxonomy.UnknownCount{{Code: "NUOVOCOD", Count: 6}, {Code: taxonomy.RarePlaceholder, Count: 1, Distinct: 1}}
				if fmt.Sprint(rep.Unknown) != fmt.Sprint(want) || rep.Distinct != 2 || rep.MinCount != 5 {
					t.Errorf("json report %+v, want %v, 2 distinct, min count 5", rep, want)
				}
			}
		})
	}
	if taxonomy.MinUnknownCount != 5 {
		t.Fatalf("the documented default minimum count is 5, not %d", taxonomy.MinUnknownCount)
	}
}
