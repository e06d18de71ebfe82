package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/io/linksfile"
)

// TestLinkStateCommands runs swd link --state over two periods, then swd
// state show, history and erase.
func TestLinkStateCommands(t *testing.T) {
	dir, encoded, _ := publishFixture(t)
	stateDir := filepath.Join(dir, "state")
	link := func(period, out string, extra ...string) string {
		t.Helper()
		args := append([]string{"link", "--u-samples", "20000", "--state", stateDir, "--period", period, "--out", out}, extra...)
		code, stdout, stderr := runCLI(t, append(args, encoded...)...)
		if code != ExitOK {
			t.Fatalf("link --state %s: exit %d: %s", period, code, stderr)
		}
		return stdout
	}
	out1, out2 := filepath.Join(dir, "l1.parquet"), filepath.Join(dir, "l2.parquet")
	if s := link("2026-01", out1); !strings.Contains(s, "period 2026-01") || !strings.Contains(s, "model fitted") {
		t.Fatalf("first period: %q", s)
	}
	if s := link("2026-02", out2); !strings.Contains(s, "0 new, 0 changed") || !strings.Contains(s, "model reused") {
		t.Fatalf("same snapshot again: %q", s)
	}
	r1, err := parquet.ReadFile[linksfile.PeriodLink](out1)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := parquet.ReadFile[linksfile.PeriodLink](out2)
	if err != nil {
		t.Fatal(err)
	}
	for k := range r1 {
		if r1[k].ClusterID != r2[k].ClusterID || r1[k].HouseholdID != r2[k].HouseholdID || r2[k].FirstPeriod != "2026-01" {
			t.Fatalf("row %d: %+v then %+v: ids must not change", k, r1[k], r2[k])
		}
	}

	for _, bad := range [][]string{{"--period", "2026-13"}, {"--csv", filepath.Join(dir, "x.csv")}} {
		args := append([]string{"link", "--state", stateDir, "--out", filepath.Join(dir, "x.parquet")}, bad...)
		if code, _, _ := runCLI(t, append(args, encoded...)...); code != ExitUsage {
			t.Errorf("link %v: exit %d, want %d", bad, code, ExitUsage)
		}
	}

	code, stdout, stderr := runCLI(t, "state", "show", "--state", stateDir, "--json")
	if code != ExitOK {
		t.Fatalf("state show: exit %d: %s", code, stderr)
	}
	var show struct {
		Period  string `json:"period"`
		Periods []struct {
			Period string `json:"period"`
		} `json:"periods"`
	}
	if err := json.Unmarshal([]byte(stdout), &show); err != nil || show.Period != "2026-02" || len(show.Periods) != 2 {
		t.Fatalf("state show: %v %+v", err, show)
	}

	code, stdout, stderr = runCLI(t, "state", "history", "--state", stateDir, "--household", strconv.FormatInt(r2[0].HouseholdID, 10))
	if code != ExitOK || !strings.Contains(stdout, "open") || !strings.Contains(stdout, r2[0].RecordID) {
		t.Fatalf("state history: exit %d: %s %s", code, stdout, stderr)
	}

	// swd publish --state: the period's tables and its flows, from the
	// state alone; --links or encoded files with it are refused.
	ledger := filepath.Join(dir, "state.ledger")
	if code, _, stderr := runCLI(t, "budget", "init", "--ledger", ledger, "--total", "3"); code != ExitOK {
		t.Fatalf("budget init: exit %d: %s", code, stderr)
	}
	release := filepath.Join(dir, "release-2026-02")
	code, stdout, stderr = runCLI(t, "publish", "--state", stateDir, "--period", "2026-02", "--epsilon", "1", "--ledger", ledger,
		"--public-services", "comune,ulss6", "--unknown-codes", "unclassified", "--out", release)
	if code != ExitOK || !strings.Contains(stdout, "flow_intercepted") {
		t.Fatalf("publish --state: exit %d: %s %s", code, stdout, stderr)
	}
	for _, q := range []string{"flow_new", "flow_closed", "flow_intercepted"} {
		if _, err := os.Stat(filepath.Join(release, q+".csv")); err != nil {
			t.Errorf("publish --state: %v", err)
		}
	}
	if code, _, _ := runCLI(t, append([]string{"publish", "--state", stateDir, "--epsilon", "1", "--ledger", ledger,
		"--out", filepath.Join(dir, "r2")}, encoded...)...); code != ExitUsage {
		t.Errorf("publish --state with encoded files: exit %d, want %d", code, ExitUsage)
	}

	ids := filepath.Join(dir, "erase.txt")
	if err := os.WriteFile(ids, []byte(r2[0].RecordID+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, "state", "erase", "--state", stateDir, "--partner", r2[0].Partner, "--ids", ids)
	if code != ExitOK || !strings.Contains(stdout, "erased 1 of 1") {
		t.Fatalf("state erase: exit %d: %s %s", code, stdout, stderr)
	}
	_, stdout, _ = runCLI(t, "state", "show", "--state", stateDir)
	if !strings.Contains(stdout, "erase") || strings.Contains(stdout, r2[0].RecordID) {
		t.Fatalf("state show after erase: %s", stdout)
	}
}

// TestLinkStateDistrictRoles: with --district, swd link --state derives
// the flows (the missing middle intercepted) from the district file's
// roles, records them in the state, and swd publish --state refuses other
// roles for that period rather than release flows derived with one set of
// public services under another.
func TestLinkStateDistrictRoles(t *testing.T) {
	dir, encoded, _ := publishFixture(t)
	src, err := os.ReadFile(exampleDistrict(t))
	if err != nil {
		t.Fatal(err)
	}
	// The health authority as a third-sector partner: roles that differ
	// from the defaults (comune, ulss6).
	text := strings.Replace(string(src), "label: Azienda ULSS 6 Euganea\n    role: public-service", "label: Azienda ULSS 6 Euganea\n    role: third-sector", 1)
	if text == string(src) {
		t.Fatal("the example district file no longer names ulss6 as a public service")
	}
	district := filepath.Join(dir, "district.yaml")
	if err := os.WriteFile(district, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	stateDir := filepath.Join(dir, "state")
	for _, period := range []string{"2026-01", "2026-02"} {
		args := append([]string{"-q", "link", "--u-samples", "20000", "--district", district, "--state", stateDir, "--period", period,
			"--out", filepath.Join(dir, period+".parquet")}, encoded...)
		if code, _, stderr := runCLI(t, args...); code != ExitOK {
			t.Fatalf("link --state --district %s: exit %d: %s", period, code, stderr)
		}
	}
	ledger := filepath.Join(dir, "roles.ledger")
	if code, _, stderr := runCLI(t, "budget", "init", "--ledger", ledger, "--total", "3"); code != ExitOK {
		t.Fatalf("budget init: exit %d: %s", code, stderr)
	}
	publish := func(out string, roles ...string) (int, string) {
		t.Helper()
		args := append([]string{"publish", "--state", stateDir, "--period", "2026-02", "--epsilon", "1", "--ledger", ledger,
			"--unknown-codes", "unclassified", "--out", filepath.Join(dir, out)}, roles...)
		code, _, stderr := runCLI(t, args...)
		return code, stderr
	}
	if code, stderr := publish("defaults", "--public-services", "comune,ulss6"); code != ExitUsage || !strings.Contains(stderr, "public services") {
		t.Fatalf("publish --state with other roles than the link's: exit %d, want %d: %s", code, ExitUsage, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "defaults")); !os.IsNotExist(err) {
		t.Fatalf("a refused release left its directory: %v", err)
	}
	if code, stderr := publish("district", "--district", district); code != ExitOK {
		t.Fatalf("publish --state --district: exit %d: %s", code, stderr)
	}
}
