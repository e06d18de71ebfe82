package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/testdirs"
	"github.com/welfare-district/swd/pipeline"
)

var publishPartners = fixturePartners

// publishFixture runs the pipeline up to the links on the shared synthetic
// exports (testdata/synth, 200 households): keygen → encode (each partner)
// → link. It returns the directory, the encoded files and the links file.
func publishFixture(t *testing.T) (dir string, encoded []string, links string) {
	t.Helper()
	dir = t.TempDir()
	must := func(args ...string) {
		t.Helper()
		if code, _, errOut := runCLI(t, append([]string{"-q"}, args...)...); code != ExitOK {
			t.Fatalf("%s: exit %d: %s", args[0], code, errOut)
		}
	}
	exports, secret := fixtureExports(t), filepath.Join(dir, "secret.key")
	must("keygen", "--out", secret)
	schema := filepath.Join(testdirs.ModuleRoot(t), "docs", "examples", "synth", "schema.yaml")
	for _, p := range publishPartners {
		out := filepath.Join(dir, p+".swd.parquet")
		must("encode", "--schema", schema, "--secret", secret, "--partner", p, "--in", filepath.Join(exports, p+".csv"), "--out", out)
		encoded = append(encoded, out)
	}
	links = filepath.Join(dir, "links.parquet")
	must(append([]string{"link", "--u-samples", "1000", "--out", links}, encoded...)...)
	return dir, encoded, links
}

// exportIdentifiers returns values of the exports that must never reach any
// output of swd publish: record and household ids, fiscal codes, phones.
func exportIdentifiers(t *testing.T) []string {
	t.Helper()
	var ids []string
	for _, p := range publishPartners {
		rows := testdirs.ReadCSV(t, filepath.Join(fixtureExports(t), p+".csv"))
		for _, r := range rows[1:] {
			for _, col := range []int{0, 1, 2, 10} { // record_id, nucleo_id, codice_fiscale, telefono
				if len(r[col]) >= 6 {
					ids = append(ids, r[col])
				}
			}
		}
	}
	if len(ids) < 500 {
		t.Fatalf("only %d identifiers read from the exports", len(ids))
	}
	return ids
}

func assertNoIdentifier(t *testing.T, ids []string, where, s string) {
	t.Helper()
	for _, id := range ids {
		if strings.Contains(s, id) {
			t.Fatalf("%s contains an identifier of the exports", where)
		}
	}
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func assertAbsent(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s exists (err %v); nothing should have been written", path, err)
	}
}

func TestPublishCommand(t *testing.T) {
	dir, encoded, links := publishFixture(t)
	ids := exportIdentifiers(t)
	ledger := filepath.Join(dir, "padova.ledger")
	var outputs []string // every stdout and stderr, checked for identifiers at the end
	publish := func(out string, extra ...string) (int, string, string) {
		t.Helper()
		args := append([]string{"publish", "--district", exampleDistrict(t), "--links", links, "--ledger", ledger, "--out", out}, extra...)
		code, stdout, stderr := runCLI(t, append(args, encoded...)...)
		outputs = append(outputs, stdout, stderr)
		return code, stdout, stderr
	}

	t.Run("a missing or mistyped ledger is refused and not created", func(t *testing.T) {
		out := filepath.Join(dir, "dry")
		for _, extra := range [][]string{{"--dry-run"}, nil} {
			code, _, stderr := publish(out, append([]string{"--epsilon", "1"}, extra...)...)
			if code != ExitUsage || !strings.Contains(stderr, "does not exist") || !strings.Contains(stderr, "swd budget init") {
				t.Fatalf("%v: exit %d, want %d: %s", extra, code, ExitUsage, stderr)
			}
		}
		assertAbsent(t, ledger)
		assertAbsent(t, dp.HeadPath(ledger))
		assertAbsent(t, out)
	})

	if code, _, errOut := runCLI(t, "budget", "init", "--ledger", ledger, "--total", "1.5"); code != ExitOK {
		t.Fatalf("budget init: %d %s", code, errOut)
	}

	t.Run("dry run with a ledger leaves it unchanged", func(t *testing.T) {
		before := readBytes(t, ledger)
		out := filepath.Join(dir, "dry")
		code, stdout, stderr := publish(out, "--epsilon", "1", "--dry-run")
		if code != ExitOK || !strings.Contains(stdout, "left ε = 1.5") {
			t.Fatalf("exit %d: %s %s", code, stdout, stderr)
		}
		if !bytes.Equal(before, readBytes(t, ledger)) {
			t.Fatal("a dry run changed the ledger")
		}
		assertAbsent(t, out)
	})

	t.Run("release", func(t *testing.T) {
		out := filepath.Join(dir, "release")
		code, stdout, stderr := publish(out, "--epsilon", "1")
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, q := range []string{dp.QueryDistrictNeed, dp.QueryDistrict, dp.QueryPartners, dp.QueryMissingMiddle, dp.QueryTotals} {
			for _, ext := range []string{".csv", ".parquet"} {
				if _, err := os.Stat(filepath.Join(out, q+ext)); err != nil {
					t.Errorf("table missing: %v", err)
				}
			}
		}
		var meta dp.ReleaseMeta
		if err := json.Unmarshal(readBytes(t, filepath.Join(out, "release.json")), &meta); err != nil {
			t.Fatal(err)
		}
		if meta.Epsilon != 1 || meta.LedgerEntryID == "" || len(meta.Domain.Partners) != len(publishPartners) || meta.LedgerEntries != 2 || len(meta.Warnings) != 0 {
			t.Fatalf("release.json %+v", meta)
		}
		for _, want := range []string{meta.LedgerEntryID, filepath.Join(out, "report.html"), "district_need, district, partners", "spent ε = 1 of 1.5", "left ε = 0.5", "ledger head after the release"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, stdout)
			}
		}
		if !strings.Contains(string(readBytes(t, filepath.Join(out, "report.html"))), "<html") {
			t.Error("report.html is not HTML")
		}
		s, err := dp.ReadLedger(t.Context(), ledger)
		if err != nil {
			t.Fatal(err)
		}
		if s.Spent.Epsilon != 1 || len(s.Releases) != 1 || s.Releases[0].ID != meta.LedgerEntryID || s.Releases[0].State != dp.ReleaseCommitted {
			t.Fatalf("ledger %+v", s)
		}
		if s.Binding == nil || !slices.Equal(s.Binding.Partners, []string{"acli", "caritas", "cgil", "comune", "ulss6"}) || meta.LedgerID != s.LedgerID {
			t.Fatalf("ledger binding %+v, release.json ledger id %s", s.Binding, meta.LedgerID)
		}
		if code, stdout, stderr := runCLI(t, "budget", "verify", "--ledger", ledger, "--release", out); code != ExitOK || !strings.Contains(stdout, "1 release checked") {
			t.Fatalf("budget verify --release: exit %d: %s %s", code, stdout, stderr)
		}
		entries, _ := os.ReadDir(out)
		for _, e := range entries {
			assertNoIdentifier(t, ids, e.Name(), string(readBytes(t, filepath.Join(out, e.Name()))))
		}
	})

	t.Run("overspending release exits 4 and writes nothing", func(t *testing.T) {
		before := readBytes(t, ledger)
		out := filepath.Join(dir, "too-much")
		code, _, stderr := publish(out, "--epsilon", "1")
		if code != ExitBudget || !strings.Contains(stderr, "budget") {
			t.Fatalf("exit %d, want %d: %s", code, ExitBudget, stderr)
		}
		if !bytes.Equal(before, readBytes(t, ledger)) {
			t.Fatal("a refused release changed the ledger")
		}
		assertAbsent(t, out)
		if code, _, _ := publish(out, "--epsilon", "1", "--dry-run"); code != ExitBudget {
			t.Fatalf("dry run of an overspending release: exit %d, want %d", code, ExitBudget)
		}
	})

	t.Run("non-empty output directory is refused", func(t *testing.T) {
		before := readBytes(t, ledger)
		code, _, stderr := publish(filepath.Join(dir, "release"), "--epsilon", "0.1")
		if code != ExitUsage || !strings.Contains(stderr, "not empty") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !bytes.Equal(before, readBytes(t, ledger)) {
			t.Fatal("the ledger changed")
		}
	})

	t.Run("files of another dataset are refused", func(t *testing.T) {
		before := readBytes(t, ledger)
		out := filepath.Join(dir, "foreign")
		for _, extra := range [][]string{{"--dry-run"}, nil} {
			args := append([]string{"publish", "--district", exampleDistrict(t), "--links", links, "--ledger", ledger, "--out", out, "--epsilon", "0.1"}, extra...)
			code, stdout, stderr := runCLI(t, append(args, encoded[:4]...)...) // a partner less
			outputs = append(outputs, stdout, stderr)
			if code != ExitIntegrity || !strings.Contains(stderr, "another dataset") || !strings.Contains(stderr, "missing: cgil") {
				t.Fatalf("%v: exit %d, want %d: %s", extra, code, ExitIntegrity, stderr)
			}
		}
		if !bytes.Equal(before, readBytes(t, ledger)) {
			t.Fatal("the ledger changed")
		}
		assertAbsent(t, out)
	})

	t.Run("a truncated ledger is refused", func(t *testing.T) {
		saved := readBytes(t, ledger)
		defer writeFile(t, ledger, string(saved), 0o644)
		lines := bytes.SplitAfter(saved, []byte("\n"))
		writeFile(t, ledger, string(bytes.Join(lines[:len(lines)-2], nil)), 0o644) // the last entry removed
		out := filepath.Join(dir, "truncated")
		code, _, stderr := publish(out, "--epsilon", "0.1")
		if code != ExitIntegrity || !strings.Contains(stderr, "truncated") {
			t.Fatalf("exit %d, want %d: %s", code, ExitIntegrity, stderr)
		}
		for _, cmd := range [][]string{{"budget", "verify", "--ledger", ledger}, {"budget", "show", "--ledger", ledger}} {
			if code, _, stderr := runCLI(t, cmd...); code != ExitIntegrity {
				t.Fatalf("%v: exit %d, want %d: %s", cmd, code, ExitIntegrity, stderr)
			}
		}
		assertAbsent(t, out)
	})

	t.Run("the rest of the budget, gaussian, two tables, JSON", func(t *testing.T) {
		out := filepath.Join(dir, "gauss")
		code, stdout, stderr := publish(out, "--epsilon", "0.5", "--delta", "1e-7", "--mechanism", "gaussian",
			"--split", "district=0.5,totals=0.5", "--json")
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var sum pipeline.PublishResult
		if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
			t.Fatalf("%v: %s", err, stdout)
		}
		if sum.Cost.Epsilon != 0.5 || !(sum.Cost.Delta > 0) || sum.Left.Epsilon > 1e-9 || len(sum.Files) != 4 {
			t.Fatalf("summary %+v", sum)
		}
		// testdata/synth: 405 records of 200 households; the linkage
		// (under a fresh secret) finds about as many.
		if st := sum.Households; st == nil || st.Records != 405 || st.Households < 180 || st.Households > 230 || len(st.Partners) != len(publishPartners) {
			t.Fatalf("household stats %+v", st)
		}
		assertAbsent(t, filepath.Join(out, dp.QueryDistrictNeed+".csv"))
	})

	t.Run("input errors", func(t *testing.T) {
		ledger := filepath.Join(t.TempDir(), "fresh.ledger") // dry runs must not change it
		if code, _, errOut := runCLI(t, "budget", "init", "--ledger", ledger); code != ExitOK {
			t.Fatalf("budget init: %d %s", code, errOut)
		}
		fresh := readBytes(t, ledger)
		badMap := filepath.Join(dir, "caritas.yaml")
		writeFile(t, badMap, "partner: caritas\nversion: test\ncodes:\n  ZZZ: [casa]\n", 0o644)
		tests := []struct {
			name  string
			args  []string
			files []string
			want  int
			msg   string
		}{
			{"unknown codes fail", []string{"--map", "caritas=" + badMap}, encoded, ExitInput, "no code map knows, by partner: caritas"},
			{"unknown codes unclassified", []string{"--map", badMap, "--unknown-codes", "unclassified"}, encoded, ExitOK, `"unknown need code" partner=caritas`},
			{"a partner's file missing", nil, encoded[:4], ExitInput, "cgil"},
			{"map of another partner", []string{"--map", "acli=" + badMap}, encoded, ExitUsage, "not \"acli\""},
			{"wrong district attribute", []string{"--district-attr", "quartiere"}, encoded, ExitInput, "quartiere"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				args := append([]string{"publish", "--district", exampleDistrict(t), "--links", links, "--ledger", ledger, "--out", filepath.Join(dir, "x"),
					"--epsilon", "0.01", "--dry-run"}, tt.args...)
				code, stdout, stderr := runCLI(t, append(args, tt.files...)...)
				outputs = append(outputs, stdout, stderr)
				if code != tt.want || !strings.Contains(stdout+stderr, tt.msg) {
					t.Fatalf("exit %d, want %d with %q: %s %s", code, tt.want, tt.msg, stdout, stderr)
				}
				if !bytes.Equal(fresh, readBytes(t, ledger)) {
					t.Fatal("a dry run changed the ledger")
				}
			})
		}
	})

	for i, o := range outputs {
		assertNoIdentifier(t, ids, "output "+string(rune('0'+i%10)), o)
	}
}

func TestPublishUsage(t *testing.T) {
	dir := t.TempDir()
	base := []string{"publish", "--public-services", "comune,ulss6", "--links", "l.parquet", "--ledger", filepath.Join(dir, "l"), "--out", filepath.Join(dir, "o")}
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"no links", []string{"publish", "--ledger", "l", "--out", "o", "--epsilon", "1", "a.swd.parquet"}, "--links"},
		{"no ledger", []string{"publish", "--links", "l", "--out", "o", "--epsilon", "1", "a.swd.parquet"}, "--ledger"},
		{"no out", []string{"publish", "--links", "l", "--ledger", "l", "--epsilon", "1", "a.swd.parquet"}, "--out"},
		{"no epsilon", append(base, "a.swd.parquet"), "--epsilon"},
		{"negative epsilon", append(base, "--epsilon", "-1", "a.swd.parquet"), "--epsilon"},
		{"no encoded file", append(base, "--epsilon", "1"), "encoded files"},
		{"bad mechanism", append(base, "--epsilon", "1", "--mechanism", "coinflip", "a.swd.parquet"), "mechanism"},
		{"gaussian without delta", append(base, "--epsilon", "1", "--mechanism", "gaussian", "a.swd.parquet"), "delta"},
		{"bad split", append(base, "--epsilon", "1", "--split", "district=2", "a.swd.parquet"), "district"},
		{"unknown table in split", append(base, "--epsilon", "1", "--split", "nope=1", "a.swd.parquet"), "nope"},
		{"bad unknown-code policy", append(base, "--epsilon", "1", "--unknown-codes", "ignore", "a.swd.parquet"), "--unknown-codes"},
		{"bad confidence", append(base, "--epsilon", "1", "--confidence", "1.5", "a.swd.parquet"), "onfidence"},
		{"map file missing", append(base, "--epsilon", "1", "--map", filepath.Join(dir, "none.yaml"), "a.swd.parquet"), "--map"},
		{"no roles", []string{"publish", "--links", "l", "--ledger", "l", "--out", "o", "--epsilon", "1", "a.swd.parquet"}, "--district FILE"},
		{"district file missing", []string{"publish", "--district", filepath.Join(dir, "none.yaml"), "--links", "l", "--ledger", "l", "--out", filepath.Join(dir, "o"), "--epsilon", "1", "a.swd.parquet"}, "district file"},
		{"out in a missing directory", []string{"publish", "--public-services", "comune", "--links", "l", "--ledger", "l", "--out", filepath.Join(dir, "a", "b"), "--epsilon", "1", "a.swd.parquet"}, "does not exist"},
		{"group privacy 0", append(base, "--epsilon", "1", "--group-privacy", "0", "a.swd.parquet"), "--group-privacy"},
		{"group privacy too large", append(base, "--epsilon", "1", "--group-privacy", "11", "a.swd.parquet"), "--group-privacy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != ExitUsage || !strings.Contains(stderr, tt.msg) {
				t.Fatalf("exit %d, want %d with %q: %s", code, ExitUsage, tt.msg, stderr)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a usage error wrote %d files", len(entries))
	}
	code, out, _ := runCLI(t, "publish", "--help")
	for _, want := range []string{"EXIT STATUS", "budget exhausted", "e^ε", "--dry-run", "linked household", "k·ε", "--group-privacy"} {
		if code != ExitOK || !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// A ledger created with --key is signed: a release needs that key, another
// key is refused; budget verify --key pins it. A release with ε above 10
// says in its summary that it protects little.
func TestPublishSignedLedgerAndWeakEpsilon(t *testing.T) {
	dir, encoded, links := publishFixture(t)
	ledger := filepath.Join(dir, "signed.ledger")
	unit, other := filepath.Join(dir, "unit"), filepath.Join(dir, "other")
	for _, k := range []string{unit, other} {
		if code, _, errOut := runCLI(t, "keys", "new", "--out", k); code != ExitOK {
			t.Fatalf("keys new: %d %s", code, errOut)
		}
	}
	if code, stdout, errOut := runCLI(t, "budget", "init", "--ledger", ledger, "--total", "100", "--key", unit+".key"); code != ExitOK || !strings.Contains(stdout, "signed by key") {
		t.Fatalf("budget init --key: %d %s %s", code, stdout, errOut)
	}
	publish := func(out string, extra ...string) (int, string, string) {
		args := append([]string{"publish", "--district", exampleDistrict(t), "--links", links, "--ledger", ledger, "--out", filepath.Join(dir, out), "--epsilon", "20"}, extra...)
		return runCLI(t, append(args, encoded...)...)
	}
	if code, _, stderr := publish("nokey"); code != ExitUsage || !strings.Contains(stderr, "--key") {
		t.Fatalf("without --key: exit %d, want %d: %s", code, ExitUsage, stderr)
	}
	if code, _, stderr := publish("otherkey", "--key", other+".key"); code != ExitIntegrity {
		t.Fatalf("with another key: exit %d, want %d: %s", code, ExitIntegrity, stderr)
	}
	code, stdout, stderr := publish("weak", "--key", unit+".key")
	if code != ExitOK || !strings.Contains(stdout, "WARNING: ε = 20 is above 10") || !strings.Contains(stdout, "protect the households little") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	code, stdout, _ = publish("weak-json", "--key", unit+".key", "--json", "--dry-run")
	var sum pipeline.PublishResult
	if code != ExitOK || json.Unmarshal([]byte(stdout), &sum) != nil || !strings.Contains(sum.Warning, "close to the exact counts") {
		t.Fatalf("--json: exit %d: %s", code, stdout)
	}
	release := filepath.Join(dir, "weak")
	if code, stdout, stderr := runCLI(t, "budget", "verify", "--ledger", ledger, "--key", unit+".pub", "--release", release); code != ExitOK || !strings.Contains(stdout, "signed by key") {
		t.Fatalf("verify --key: exit %d: %s %s", code, stdout, stderr)
	}
	if code, _, stderr := runCLI(t, "budget", "verify", "--ledger", ledger, "--key", other+".pub"); code != ExitIntegrity {
		t.Fatalf("verify against another key: exit %d: %s", code, stderr)
	}
}

// exampleDistrict writes the district file of swd district init (the
// demo's partners and roles) and returns its path.
func exampleDistrict(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "district.yaml")
	if code, _, stderr := runCLI(t, "-q", "district", "init", "--out", p); code != ExitOK {
		t.Fatalf("district init: %d %s", code, stderr)
	}
	return p
}

// swd publish --group-privacy K keeps the noise of ε and charges the
// ledger K·ε: a household the linkage split into up to K parts is then
// within the dataset's budget. release.json says so, with the linkage's
// estimated split and merge rates from the links file.
func TestPublishGroupPrivacy(t *testing.T) {
	dir, encoded, links := publishFixture(t)
	ledger := filepath.Join(dir, "padova.ledger")
	if code, _, errOut := runCLI(t, "budget", "init", "--ledger", ledger, "--total", "2"); code != ExitOK {
		t.Fatalf("budget init: %d %s", code, errOut)
	}
	publish := func(out string, extra ...string) (int, string, string) {
		t.Helper()
		args := append([]string{"publish", "--district", exampleDistrict(t), "--links", links, "--ledger", ledger,
			"--out", filepath.Join(dir, out)}, extra...)
		return runCLI(t, append(args, encoded...)...)
	}
	code, stdout, stderr := publish("dry", "--epsilon", "0.5", "--group-privacy", "3", "--dry-run")
	if code != ExitOK || !strings.Contains(stdout, "would spend ε = 1.5") || !strings.Contains(stdout, "group privacy 3") {
		t.Fatalf("dry run: exit %d: %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = publish("k3", "--epsilon", "0.5", "--group-privacy", "3", "--json")
	var sum pipeline.PublishResult
	if code != ExitOK || json.Unmarshal([]byte(stdout), &sum) != nil {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	if sum.Cost.Epsilon != 1.5 || sum.Spent.Epsilon != 1.5 || sum.GroupPrivacy != 3 || sum.Linkage == nil {
		t.Fatalf("summary %+v", sum)
	}
	var meta dp.ReleaseMeta
	if err := json.Unmarshal(readBytes(t, filepath.Join(dir, "k3", "release.json")), &meta); err != nil {
		t.Fatal(err)
	}
	pu := meta.PrivacyUnit
	if meta.Epsilon != 0.5 || pu.GroupPrivacy != 3 || pu.EpsilonCharged != 1.5 || pu.Linkage == nil ||
		pu.Linkage.Households != sum.Households.Households || len(pu.SplitHouseholds) != 4 || !pu.SplitHouseholds[2].Charged ||
		pu.SplitHouseholds[3].Charged || !strings.Contains(pu.Guarantee, "k·ε") {
		t.Fatalf("release.json: epsilon %g, privacy unit %+v", meta.Epsilon, pu)
	}
	code, stdout, _ = runCLI(t, "budget", "show", "--ledger", ledger)
	if code != ExitOK || !strings.Contains(stdout, "1.5") {
		t.Fatalf("budget show: %d %s", code, stdout)
	}
	// 0.5 is left: ε = 0.5 fits alone, not charged twice.
	if code, _, stderr = publish("over", "--epsilon", "0.5", "--group-privacy", "2"); code != ExitBudget {
		t.Fatalf("ε 0.5 × 2 with 0.5 left: exit %d, want %d: %s", code, ExitBudget, stderr)
	}
	assertAbsent(t, filepath.Join(dir, "over"))
	if code, _, stderr = publish("k1", "--epsilon", "0.5"); code != ExitOK {
		t.Fatalf("ε 0.5 with 0.5 left: exit %d: %s", code, stderr)
	}
}
