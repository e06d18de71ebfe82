package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/testdirs"
	"github.com/welfare-district/swd/linkage/audit"
	"github.com/welfare-district/swd/pipeline"
)

// TestAuditCLI encodes a small synthetic export (testdata/synth) with the
// example schema, attacks it, and checks the report: counts only, never a
// name.
func TestAuditCLI(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	schemaPath := repoPath(t, "docs/examples/synth/schema.yaml") // tracked: missing is a failure
	export := filepath.Join(fixtureExports(t), "comune.csv")
	for _, args := range [][]string{
		{"synth", "--out", p("pub"), "--households", "800", "--seed", "4"},
		{"keygen", "--out", p("k.secret")},
		{"encode", "--schema", schemaPath, "--secret", p("k.secret"), "--in", export, "--out", p("c.swd.parquet"), "--partner", "comune"},
	} {
		if code, _, errs := runCLI(t, append([]string{"-q"}, args...)...); code != ExitOK {
			t.Fatalf("%v: %s", args, errs)
		}
	}
	code, out, errs := runCLI(t, "-q", "audit", p("c.swd.parquet"), "--export", export, "--public", p("pub/comune.csv"), "--json")
	if code != ExitOK {
		t.Fatalf("audit: %d %s", code, errs)
	}
	var rep pipeline.AuditReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Fields) != 2 || rep.Fields[0].Field != "given_name" || rep.Fields[1].Field != "surname" {
		t.Fatalf("fields %+v", rep.Fields)
	}
	for _, f := range rep.Fields {
		if f.Attacked == 0 || f.Attacked > rep.Records || f.Rate < 0 || f.Rate > 1 || f.Reidentified > f.Attacked {
			t.Fatalf("implausible result %+v", f.Result)
		}
	}
	// Every attack reports a rate; worst is the highest of them.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"records", "attacks", "worst", "uniqueness"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if len(rep.Attacks) != len(audit.Attacks) {
		t.Fatalf("%d attacks reported", len(rep.Attacks))
	}
	worst := 0.0
	for i, a := range rep.Attacks {
		if a.Name != audit.Attacks[i] || a.Records == 0 || a.Reidentified < 0 || a.Reidentified > 1 {
			t.Fatalf("attack %+v", a)
		}
		worst = max(worst, a.Reidentified)
	}
	if rep.Worst != worst {
		t.Errorf("worst %v, attacks' highest %v", rep.Worst, worst)
	}
	if len(rep.Uniqueness) < 3 || rep.Uniqueness[0].Columns[0] != "a_district" {
		t.Errorf("uniqueness %+v", rep.Uniqueness)
	}

	cols := map[string]bool{}
	for _, e := range rep.Exposure {
		cols[e.Column] = true
		if e.Present > rep.Records || e.Exposed < 0 || e.Exposed > float64(e.Present) || e.Rate > 1 {
			t.Fatalf("implausible exposure %+v", e)
		}
	}
	for _, c := range []string{"clk", "bk_surname_birth_date", "f_given_name", "f_sex"} {
		if !cols[c] {
			t.Errorf("no exposure reported for %s", c)
		}
	}
	// No name from the export may appear in the output.
	code, text, errs := runCLI(t, "audit", p("c.swd.parquet"), "--export", export, "--public", p("pub/comune.csv"))
	if code != ExitOK || text == "" {
		t.Fatalf("audit (text): exit %d, %d bytes of output: %s", code, len(text), errs)
	}
	rows := testdirs.ReadCSV(t, export)
	if len(rows) < 2 {
		t.Fatalf("export has %d lines", len(rows))
	}
	for _, row := range rows[1:] {
		for _, v := range []string{row[3], row[4]} { // nome, cognome
			if len(v) >= 4 && (strings.Contains(strings.ToUpper(out+text), strings.ToUpper(v))) {
				t.Fatalf("output contains a name from the export")
			}
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"no export", []string{"audit", p("c.swd.parquet"), "--public", p("pub/comune.csv")}, ExitUsage},
		{"unknown field", []string{"audit", p("c.swd.parquet"), "--export", export, "--public", p("pub/comune.csv"), "--field", "sex"}, ExitUsage},
		{"bad public", []string{"audit", p("c.swd.parquet"), "--export", export, "--public", filepath.Join(fixtureExports(t), "truth.csv")}, ExitInput},
		{"unknown attack", []string{"audit", p("c.swd.parquet"), "--export", export, "--public", p("pub/comune.csv"), "--attack", "magic"}, ExitUsage},
		{"one attack", []string{"audit", p("c.swd.parquet"), "--export", export, "--public", p("pub/comune.csv"), "--attack", "cohort"}, ExitOK},
		{"address field", []string{"audit", p("c.swd.parquet"), "--export", export, "--public", p("pub/comune.csv"), "--field", "address", "--attack", "frequency,graph-matching"}, ExitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, _, errs := runCLI(t, tc.args...); code != tc.code {
				t.Fatalf("code %d, want %d: %s", code, tc.code, errs)
			}
		})
	}
}
