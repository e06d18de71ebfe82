package synth

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestRegionShare(t *testing.T) {
	for _, tc := range []struct {
		households int
		want       float64
	}{
		{0, 0},
		{2000, 0},
		{CityHouseholds, 0},
		{CityHouseholds + 1, 1.0 / (CityHouseholds + 1)},
		{1_000_000, 0.5},
		{4_700_000, 1 - 5.0/47},
	} {
		if got := regionShare(tc.households); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("regionShare(%d) = %v, want %v", tc.households, got, tc.want)
		}
	}
}

// TestRegionResidences: every comune of Veneto but Padova is a residence,
// with a five-digit CAP of its province, and the CAPs are many more than
// Padova's.
func TestRegionResidences(t *testing.T) {
	tb := mustData()
	prefixes := map[string]bool{}
	for _, p := range capPrefix {
		prefixes[p] = true
	}
	caps := map[string]bool{}
	for _, c := range tb.region {
		if c.Code == padovaCode {
			t.Fatal("Padova is among the other comuni")
		}
		if len(c.CAP) != 5 || !prefixes[c.CAP[:2]] || strings.Trim(c.CAP, "0123456789") != "" {
			t.Errorf("comune %s: CAP %q is not a CAP of Veneto", c.Code, c.CAP)
		}
		if capitals[c.Code] != strings.HasSuffix(c.CAP, "100") {
			t.Errorf("comune %s: CAP %q, capital %v", c.Code, c.CAP, capitals[c.Code])
		}
		caps[c.CAP] = true
	}
	if len(tb.region) != 562 || len(caps) < 200 {
		t.Errorf("%d comuni with %d CAPs, want 562 with at least 200", len(tb.region), len(caps))
	}
}

// TestHouseholdsOutsidePadova: with a share outside, about that share of
// households live in another comune, with its CAP, and move within it;
// with none, every household is in Padova on one of its streets.
func TestHouseholdsOutsidePadova(t *testing.T) {
	tb := mustData()
	regional := map[string]string{}
	for _, c := range tb.region {
		regional[c.Code] = c.CAP
	}
	padovaCAP := map[string]bool{}
	for q := 1; q <= 6; q++ {
		for _, st := range tb.streets[q] {
			padovaCAP[st.CAP] = true
		}
	}
	const n = 4000
	for _, outside := range []float64{0, 0.5, 0.9} {
		r := rand.New(rand.NewPCG(1, 2))
		var pid int64
		b := builder{t: tb, r: r, ref: DefaultReference, foreign: 0.15, outside: outside, nextPID: &pid}
		away := 0
		for i := range n {
			h := b.household(int64(i))
			if h.Comune == padovaCode {
				if !padovaCAP[h.CAP] {
					t.Fatalf("outside %v: a Padova household has CAP %s", outside, h.CAP)
				}
				continue
			}
			away++
			if regional[h.Comune] != h.CAP {
				t.Fatalf("outside %v: household in %s has CAP %s, want %s", outside, h.Comune, h.CAP, regional[h.Comune])
			}
			if a := elsewhere(r, tb, h); a.cap != h.CAP {
				t.Fatalf("outside %v: a household of %s moved to CAP %s", outside, h.Comune, a.cap)
			}
		}
		if got := float64(away) / n; math.Abs(got-outside) > 0.03 {
			t.Errorf("outside %v: %.3f of households outside Padova", outside, got)
		}
	}
}
