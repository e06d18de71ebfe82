package dp

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGroupPrivacyChargesKEpsilon: --group-privacy K keeps the noise of ε
// per linked household and charges the ledger K·ε (and the group δ), which
// release.json and the report state; a release that fits at K = 1 but not
// at K·ε is refused before anything is written.
func TestGroupPrivacyChargesKEpsilon(t *testing.T) {
	dir := t.TempDir()
	ledger := filepath.Join(dir, "ledger")
	initLedger(t, ledger, 2, nil)
	hs := synthHouseholds(200, 7)
	lq := &LinkageQuality{Households: 200, EstimatedSplitRate: 0.0123, EstimatedMergeRate: 0.0007, Source: "test"}
	publish := func(p Params, out string) (*Published, ReleaseMeta, string, error) {
		pub, err := Publish(context.Background(), hs, PublishConfig{Params: p, Domain: DefaultDomain(testPartners),
			Ledger: ledger, Binding: testBinding, OutDir: filepath.Join(dir, out), CodeVersion: "swd test", Linkage: lq})
		if err != nil {
			return nil, ReleaseMeta{}, "", err
		}
		var meta ReleaseMeta
		raw, err := os.ReadFile(filepath.Join(dir, out, "release.json"))
		if err != nil || json.Unmarshal(raw, &meta) != nil {
			t.Fatalf("release.json: %v", err)
		}
		report, _ := os.ReadFile(filepath.Join(dir, out, "report.html"))
		return pub, meta, string(report), nil
	}

	one, meta1, _, err := publish(Params{Epsilon: 0.25}, "k1")
	if err != nil {
		t.Fatal(err)
	}
	if one.Cost.Epsilon != 0.25 || meta1.PrivacyUnit.GroupPrivacy != 1 || meta1.PrivacyUnit.EpsilonCharged != 0.25 {
		t.Fatalf("K = 1: cost %+v, privacy unit %+v", one.Cost, meta1.PrivacyUnit)
	}
	three, meta3, report, err := publish(Params{Epsilon: 0.25, GroupPrivacy: 3}, "k3")
	if err != nil {
		t.Fatal(err)
	}
	if three.Cost.Epsilon != 0.75 || three.After.Spent.Epsilon != 1 {
		t.Fatalf("K = 3: cost %+v, spent %+v; want 0.75 and 1", three.Cost, three.After.Spent)
	}
	pu := meta3.PrivacyUnit
	if pu.Unit != "linked household" || pu.GroupPrivacy != 3 || pu.EpsilonCharged != 0.75 || meta3.Epsilon != 0.25 ||
		pu.Linkage == nil || *pu.Linkage != *lq || !strings.Contains(meta3.Params, "group_privacy=3") {
		t.Fatalf("K = 3: release.json %+v", meta3)
	}
	for i, s := range pu.SplitHouseholds {
		if s.Parts != i+1 || math.Abs(s.Epsilon-0.25*float64(i+1)) > 1e-12 || s.Charged != (s.Parts <= 3) {
			t.Fatalf("split_households[%d] = %+v", i, s)
		}
	}
	if len(pu.SplitHouseholds) != 4 {
		t.Fatalf("split_households %+v, want parts 1…4", pu.SplitHouseholds)
	}
	// Same noise as K = 1: the tables' ε and noise are those of ε = 0.25.
	for i, tm := range meta3.Tables {
		if tm.Epsilon != meta1.Tables[i].Epsilon || tm.NoiseStd != meta1.Tables[i].NoiseStd {
			t.Fatalf("table %s: K = 3 has ε %g noise %g, K = 1 has %g %g", tm.Query, tm.Epsilon, tm.NoiseStd,
				meta1.Tables[i].Epsilon, meta1.Tables[i].NoiseStd)
		}
	}
	for _, want := range []string{"1.23%", "0.07%", "fino a 3 parti", "up to 3 parts", "ε = 0.75"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// 1 of 2 is left: ε = 0.5 fits at K = 1, not at K = 3.
	if _, _, _, err := publish(Params{Epsilon: 0.5, GroupPrivacy: 3}, "over"); !errors.Is(err, ErrBudgetExhausted) {
		t.Fatalf("ε 0.5 × 3 with 1 left: %v, want ErrBudgetExhausted", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "over")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the refused release wrote its directory: %v", err)
	}
	bad := Params{Epsilon: 1, GroupPrivacy: MaxGroupPrivacy + 1}
	if err := bad.EnsureDefaults().Validate(); err == nil {
		t.Fatal("group privacy above the maximum accepted")
	}
}

func TestGroupDelta(t *testing.T) {
	for _, tt := range []struct {
		eps, delta float64
		k          int
		want       float64
	}{
		{1, 0, 3, 0},
		{1, 1e-6, 1, 1e-6},
		{0.5, 1e-6, 2, 2 * math.Exp(0.5) * 1e-6},
		{1, 1e-6, 3, 3 * math.Exp(2) * 1e-6},
	} {
		if got := GroupDelta(tt.eps, tt.delta, tt.k); math.Abs(got-tt.want) > 1e-18 {
			t.Errorf("GroupDelta(%g, %g, %d) = %g, want %g", tt.eps, tt.delta, tt.k, got, tt.want)
		}
	}
	// The ledger is charged the group δ of a Gaussian release.
	p := Params{Epsilon: 0.5, Delta: 1e-6, Mechanism: MechanismGaussian, GroupPrivacy: 2}
	agg, err := NewAggregation(p, DefaultDomain(testPartners))
	if err != nil {
		t.Fatal(err)
	}
	c, u := agg.Cost(), agg.unitCost()
	if c.Epsilon != 1 || math.Abs(c.Delta-GroupDelta(0.5, u.Delta, 2)) > 1e-18 || !(u.Delta > 0) {
		t.Fatalf("cost %+v, unit cost %+v", c, u)
	}
}
