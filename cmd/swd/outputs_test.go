package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/testdirs"
)

// TestMissingFilesAndDirectories: a schema or secret file that does not
// exist, and an output in a directory that does not exist, are usage
// errors (exit status 2) with a message naming the path, for encode, link
// and publish alike; nothing is written and no budget is spent.
func TestMissingFilesAndDirectories(t *testing.T) {
	dir, encoded, links := publishFixture(t)
	secret := filepath.Join(dir, "secret.key")
	schemaPath := repoPath(t, "docs/examples/synth/schema.yaml")
	in := filepath.Join(fixtureExports(t), "caritas.csv")
	missing := filepath.Join(dir, "nope")
	ledger := filepath.Join(dir, "ledger.jsonl")
	if code, _, stderr := runCLI(t, "-q", "budget", "init", "--ledger", ledger, "--total", "3"); code != ExitOK {
		t.Fatalf("budget init: %d %s", code, stderr)
	}
	ledgerBefore := readBytes(t, ledger)
	district := exampleDistrict(t)
	encode := func(extra ...string) []string {
		return append([]string{"encode", "--partner", "caritas", "--in", in}, extra...)
	}
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"encode: missing secret file", encode("--schema", schemaPath, "--secret", filepath.Join(dir, "none.key"), "--out", filepath.Join(dir, "a.swd.parquet")), "none.key"},
		{"encode: missing schema file", encode("--schema", filepath.Join(dir, "none.yaml"), "--secret", secret, "--out", filepath.Join(dir, "a.swd.parquet")), "none.yaml"},
		{"encode: --out in a missing directory", encode("--schema", schemaPath, "--secret", secret, "--out", filepath.Join(missing, "a.swd.parquet")),
			"cannot write " + filepath.Join(missing, "a.swd.parquet") + ": directory " + missing + " does not exist"},
		{"encode: --rejects in a missing directory", encode("--schema", schemaPath, "--secret", secret, "--out", filepath.Join(dir, "a.swd.parquet"),
			"--rejects", filepath.Join(missing, "a.rejects.csv")), "directory " + missing + " does not exist"},
		{"link: --out in a missing directory", append([]string{"link", "--out", filepath.Join(missing, "l.parquet")}, encoded...),
			"cannot write " + filepath.Join(missing, "l.parquet") + ": directory " + missing + " does not exist"},
		{"link: --report in a missing directory", append([]string{"link", "--out", filepath.Join(dir, "l.parquet"), "--report", filepath.Join(missing, "r.html")}, encoded...),
			"directory " + missing + " does not exist"},
		{"link: missing district file", append([]string{"link", "--out", filepath.Join(dir, "l.parquet"), "--district", filepath.Join(dir, "none.yaml")}, encoded...), "none.yaml"},
		{"publish: --out in a missing directory", append([]string{"publish", "--district", district, "--links", links, "--ledger", ledger,
			"--epsilon", "1", "--out", filepath.Join(missing, "release")}, encoded...),
			"cannot write " + filepath.Join(missing, "release") + ": directory " + missing + " does not exist"},
	}
	before := dirNames(t, dir)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != ExitUsage || !strings.Contains(stderr, tt.msg) {
				t.Fatalf("exit %d (want %d), stderr %q lacks %q\n%s", code, ExitUsage, stderr, tt.msg, stdout)
			}
			if strings.Contains(stderr, "atomicfile") {
				t.Errorf("the message names an internal package: %s", stderr)
			}
		})
	}
	if after := dirNames(t, dir); !slices.Equal(before, after) {
		t.Fatalf("the refused runs left files: before %v, after %v", before, after)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("a refused run created the missing directory")
	}
	if after := readBytes(t, ledger); string(after) != string(ledgerBefore) {
		t.Fatal("a refused publish changed the ledger")
	}
}

// TestOutputsAsASet: swd encode (encoded file, rejects, pseudonym map) and
// swd link (links file, HTML and JSON reports) write their outputs as a
// set. A run finds what a killed run left on the same output, completes
// its half-renamed set and removes its staging and temporary files; a
// refused run leaves the previous set as it was.
func TestOutputsAsASet(t *testing.T) {
	dir, encoded, _ := publishFixture(t)
	secret := filepath.Join(dir, "secret.key")
	schemaPath := repoPath(t, "docs/examples/synth/schema.yaml")
	work := t.TempDir()
	in := filepath.Join(work, "caritas.csv")
	writeFile(t, in, string(readBytes(t, filepath.Join(fixtureExports(t), "caritas.csv"))), 0o644)

	// What a run killed after renaming the rejects file of its set, and
	// another killed while writing, leave beside the outputs.
	out := filepath.Join(work, "caritas.swd.parquet")
	killed := func(final, run string) {
		staged := filepath.Join(work, "."+filepath.Base(final)+".swd-set-"+run)
		writeFile(t, staged, "staged by a killed run", 0o644)
	}
	killed(out, "0000000000aa")
	killed(filepath.Join(work, "caritas.pseudonyms.csv"), "0000000000aa")
	writeFile(t, filepath.Join(work, "caritas.rejects.csv"), "renamed by a killed run", 0o644)
	journal := `{"version":1,"run":"0000000000aa","files":[` +
		`{"staged":"` + filepath.Join(work, ".caritas.rejects.csv.swd-set-0000000000aa") + `","final":"` + filepath.Join(work, "caritas.rejects.csv") + `"},` +
		`{"staged":"` + filepath.Join(work, ".caritas.pseudonyms.csv.swd-set-0000000000aa") + `","final":"` + filepath.Join(work, "caritas.pseudonyms.csv") + `"},` +
		`{"staged":"` + filepath.Join(work, ".caritas.swd.parquet.swd-set-0000000000aa") + `","final":"` + out + `"}]}`
	writeFile(t, atomicfile.JournalPath(out), journal, 0o644)
	for _, stale := range []string{".caritas.swd.parquet.tmp-77", "..caritas.rejects.csv.swd-set-0000000000bb.tmp-5", ".caritas.rejects.csv.swd-set-0000000000bb"} {
		writeFile(t, filepath.Join(work, stale), "left by a killed run", 0o644)
	}
	code, _, stderr := runCLI(t, "--log-level", "warn", "encode", "--schema", schemaPath, "--secret", secret, "--partner", "caritas",
		"--in", in, "--out", out, "--pseudonymise-ids")
	if code != ExitOK {
		t.Fatalf("encode: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "interrupted") {
		t.Errorf("the completed set of the killed run is not reported: %q", stderr)
	}
	want := []string{"caritas.csv", "caritas.pseudonyms.csv", "caritas.rejects.csv", "caritas.swd.parquet"}
	if got := dirNames(t, work); !slices.Equal(got, want) {
		t.Fatalf("after encode: %v, want %v (no staging, temporary or journal file)", got, want)
	}
	for _, f := range want[1:] {
		if strings.Contains(string(readBytes(t, filepath.Join(work, f))), "killed run") {
			t.Fatalf("%s is still the killed run's", f)
		}
	}
	if code, _, stderr := runCLI(t, "inspect", out); code != ExitOK {
		t.Fatalf("inspect the encoded file: exit %d: %s", code, stderr)
	}

	// A refused run (the surname column emptied: fail closed) leaves the
	// set as it was.
	set := map[string]string{}
	for _, f := range want[1:] {
		set[f] = string(readBytes(t, filepath.Join(work, f)))
	}
	rows := testdirs.ReadCSV(t, in)
	for _, r := range rows[1:] {
		r[4] = "" // cognome
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	writeFile(t, in, b.String(), 0o644)
	if code, _, stderr := runCLI(t, "encode", "--schema", schemaPath, "--secret", secret, "--partner", "caritas", "--in", in, "--out", out,
		"--pseudonymise-ids"); code != ExitInput || !strings.Contains(stderr, "surname") {
		t.Fatalf("encode without surnames: exit %d: %s", code, stderr)
	}
	for f, before := range set {
		if string(readBytes(t, filepath.Join(work, f))) != before {
			t.Fatalf("a refused run changed %s", f)
		}
	}
	if got := dirNames(t, work); !slices.Equal(got, want) {
		t.Fatalf("after a refused encode: %v", got)
	}

	// swd link: the same for the links file and its reports.
	links := filepath.Join(work, "links.parquet")
	for _, stale := range []string{".links.parquet.swd-set-0000000000cc", ".links.report.html.swd-set-0000000000cc", "..links.report.json.swd-set-0000000000cc.tmp-1", ".links.parquet.tmp-3"} {
		writeFile(t, filepath.Join(work, stale), "left by a killed run", 0o644)
	}
	if code, _, stderr := runCLI(t, append([]string{"-q", "link", "--u-samples", "1000", "--out", links}, encoded...)...); code != ExitOK {
		t.Fatalf("link: exit %d: %s", code, stderr)
	}
	want = append(want, "links.parquet", "links.report.html", "links.report.json")
	slices.Sort(want)
	if got := dirNames(t, work); !slices.Equal(got, want) {
		t.Fatalf("after link: %v, want %v", got, want)
	}
}

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}
