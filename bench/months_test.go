package bench

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunMonths runs the months measurement on three small months through
// a freshly built swd binary.
func TestRunMonths(t *testing.T) {
	if testing.Short() {
		t.Skip("builds swd and links three months twice")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "swd")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/swd").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var log bytes.Buffer
	res, err := RunMonths(context.Background(), MonthsConfig{Bin: bin, Dir: filepath.Join(tmp, "work"), Schema: "../docs/examples/synth/schema.yaml",
		Months: 3, Households: 200, Corruption: "medium", Seed: 2, Full: true, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Figures) != 3 {
		t.Fatalf("%d months of figures", len(res.Figures))
	}
	for k, f := range res.Figures {
		if f.Records == 0 || f.Incremental.Person < 0.9 || f.Incremental.Household < 0.9 || f.Full == nil || f.Full.Person < 0.9 {
			t.Errorf("%s: figures %+v", f.Period, f)
		}
		if k == 0 {
			if f.Stability != nil || f.Changed != f.Records {
				t.Errorf("first month: %+v", f)
			}
			continue
		}
		s := f.Stability
		if s == nil || s.Person.Unchanged == 0 || s.Household.Unchanged == 0 || s.Person.Kept > s.Person.Unchanged ||
			f.Changed == 0 || f.Changed >= f.Records {
			t.Errorf("%s: stability %+v, %d of %d records changed", f.Period, s, f.Changed, f.Records)
		}
	}
	if res.MinPersonKept < 0.9 || res.MinHouseholdKept < 0.9 {
		t.Errorf("ids kept: %+v", res)
	}
	for _, want := range []string{"+ swd synth -q --months 3 --households 200", "+ swd link -q --state", "+ swd eval -q --json"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log does not show %q", want)
		}
	}
	var table bytes.Buffer
	if err := res.WriteTable(&table); err != nil || !strings.Contains(table.String(), "2026-03") {
		t.Errorf("table: %v\n%s", err, table.String())
	}
}
