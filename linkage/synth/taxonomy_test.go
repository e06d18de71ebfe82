package synth_test

import (
	"slices"
	"testing"

	"github.com/welfare-district/swd/linkage/synth"
	"github.com/welfare-district/swd/taxonomy"
)

// TestCodesAgreeWithTaxonomy: the generator writes needs in exactly the
// local codes the taxonomy's code maps translate, to the same canonical
// codes, and its canonical codes are the taxonomy's.
func TestCodesAgreeWithTaxonomy(t *testing.T) {
	tax := taxonomy.Default()
	for _, n := range synth.CanonicalNeeds {
		if !tax.IsCanonical(n) {
			t.Errorf("canonical need %q unknown to the taxonomy", n)
		}
	}
	for _, p := range synth.DefaultPartnerNames {
		m := taxonomy.MapFor(p)
		if m == nil {
			t.Errorf("taxonomy has no code map for %s", p)
			continue
		}
		local := synth.LocalCodes(p)
		if len(local) != len(m.Codes) {
			t.Errorf("%s: synth has %d codes, taxonomy %d", p, len(local), len(m.Codes))
		}
		for _, c := range local {
			got, ok := m.Map(c.Code)
			if !ok {
				t.Errorf("%s: code %s unknown to the taxonomy", p, c.Code)
				continue
			}
			a, b := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(c.Canonical))
			if !slices.Equal(a, b) {
				t.Errorf("%s: %s maps to %v in the taxonomy, %v in synth", p, c.Code, a, b)
			}
		}
	}
}
