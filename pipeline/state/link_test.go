package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage"
)

var testLinkage = linkage.Config{Workers: 2, USamples: 50_000, Seed: 1}

func TestLinkPeriods(t *testing.T) {
	ctx := context.Background()
	ds := synthFixture(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "state")
	m1 := writeMonth(t, filepath.Join(tmp, "m1"), ds, 0.1, 3)
	m2 := writeMonth(t, filepath.Join(tmp, "m2"), ds, 0, 0)

	out1 := filepath.Join(tmp, "links-1.parquet")
	r1, err := Link(ctx, LinkConfig{Dir: dir, Period: "2026-01", Inputs: m1, Out: out1, Linkage: testLinkage})
	if err != nil {
		t.Fatal(err)
	}
	if !r1.Refit || r1.Generation != 1 || r1.Stats.New != r1.Stats.Records {
		t.Fatalf("first run: %+v", r1)
	}
	out2 := filepath.Join(tmp, "links-2.parquet")
	r2, err := Link(ctx, LinkConfig{Dir: dir, Period: "2026-02", Inputs: m2, Out: out2, Linkage: testLinkage})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Refit || r2.Generation != 2 || r2.Stats.New == 0 || r2.Stats.Records != r1.Stats.Records+r2.Stats.New {
		t.Fatalf("second run: %+v after %+v", r2, r1)
	}
	rows1, err := parquet.ReadFile[linksfile.PeriodLink](out1)
	if err != nil {
		t.Fatal(err)
	}
	rows2, err := parquet.ReadFile[linksfile.PeriodLink](out2)
	if err != nil {
		t.Fatal(err)
	}
	first := map[[2]string]linksfile.PeriodLink{}
	for _, r := range rows1 {
		first[[2]string{r.Partner, r.RecordID}] = r
	}
	for _, r := range rows2 {
		if r.Period != "2026-02" {
			t.Fatalf("period %q", r.Period)
		}
		_, ok := first[[2]string{r.Partner, r.RecordID}]
		if ok != (r.FirstPeriod == "2026-01") {
			t.Fatalf("first period %q of a record seen in January: %v", r.FirstPeriod, ok)
		}
	}
	if _, _, err := linksfile.Read(out2); err != nil {
		t.Fatalf("the period's links file is not a links file: %v", err)
	}
	snap, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Manifest.Period != "2026-02" || len(snap.Manifest.Periods) != 2 || len(snap.Manifest.Log) != 2 || len(snap.Encodings) != len(ds) {
		t.Fatalf("manifest %+v", snap.Manifest)
	}
	// The state keeps the prior of every pair of partners the first run's
	// fit gave (5 partners: 15 pairs), so that later runs score as Link.
	if n := len(ds); len(snap.State.Priors) != n*(n+1)/2 || snap.State.Priors[0].Weight == 0 {
		t.Fatalf("the state's priors %+v, want one per pair of the %d partners", snap.State.Priors, n)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("state directory holds %d entries, want the manifest and one generation", len(entries))
	}

	// A refit relinks everything with a new model; the ids follow the state.
	out3 := filepath.Join(tmp, "links-3.parquet")
	r3, err := Link(ctx, LinkConfig{Dir: dir, Period: "2026-03", Inputs: m2, Out: out3, Linkage: testLinkage, Refit: true})
	if err != nil {
		t.Fatal(err)
	}
	if !r3.Refit || r3.Stats.New != 0 || r3.Events["person_open"] != 0 {
		t.Errorf("refit on the same snapshot: %+v", r3)
	}
	rows3, err := parquet.ReadFile[linksfile.PeriodLink](out3)
	if err != nil {
		t.Fatal(err)
	}
	same := 0
	for k := range rows3 {
		if rows3[k].ClusterID == rows2[k].ClusterID && rows3[k].HouseholdID == rows2[k].HouseholdID {
			same++
		}
	}
	if float64(same) < 0.995*float64(len(rows2)) {
		t.Errorf("refit: %d of %d records kept their ids", same, len(rows2))
	}

	// The same period again, or an earlier one, is refused.
	if _, err := Link(ctx, LinkConfig{Dir: dir, Period: "2026-03", Inputs: m2, Out: out2, Linkage: testLinkage}); !errors.Is(err, base.ErrUsage) {
		t.Errorf("same period again: %v, want a usage error", err)
	}
}

// TestLinkRefusesOtherSecret: a snapshot encoded under another secret than
// the state's is refused, naming the partner.
func TestLinkRefusesOtherSecret(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "state")
	m1 := writeMonth(t, filepath.Join(tmp, "m1"), synthFixture(t), 0, 0)
	if _, err := Link(ctx, LinkConfig{Dir: dir, Period: "2026-01", Inputs: m1, Out: filepath.Join(tmp, "l1.parquet"), Linkage: testLinkage}); err != nil {
		t.Fatal(err)
	}
	other, err := encodeSynth(filepath.Join(tmp, "other"), testSecret("another secret, not the state's!"))
	if err != nil {
		t.Fatal(err)
	}
	m2 := writeMonth(t, filepath.Join(tmp, "m2"), other, 0, 0)
	_, err = Link(ctx, LinkConfig{Dir: dir, Period: "2026-02", Inputs: m2, Out: filepath.Join(tmp, "l2.parquet"), Linkage: testLinkage})
	if !errors.Is(err, base.ErrIntegrity) || !strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), other[0].Meta.Partner) {
		t.Fatalf("another secret: %v", err)
	}
}
