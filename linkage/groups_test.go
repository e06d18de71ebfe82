package linkage

import (
	"testing"

	"github.com/welfare-district/swd/linkage/model"
)

// TestGroupByDateSalt checks that only names salted by a whole date are
// fitted jointly with their salt, and that the first two fields sharing a
// key swap.
func TestGroupByDateSalt(t *testing.T) {
	base := func() []model.Comparison {
		return []model.Comparison{
			{Field: "given", Exact: true, SaltedBy: "dob", Group: model.GroupName},
			{Field: "surname", Exact: true, SaltedBy: "dob", Group: model.GroupName},
			{Field: "dob", Exact: true},
		}
	}
	tests := []struct {
		name      string
		wholeDate map[string]bool
		want      []string
	}{
		{"whole date", map[string]bool{"given": true, "surname": true}, []string{"salt:dob", model.GroupName, "salt:dob"}},
		{"year", map[string]bool{}, []string{model.GroupName, model.GroupName, ""}},
		{"surname only", map[string]bool{"surname": true}, []string{model.GroupName, "salt:dob", "salt:dob"}},
	}
	for _, tt := range tests {
		cmps := base()
		groupByDateSalt(cmps, tt.wholeDate)
		for i, c := range cmps {
			if c.Group != tt.want[i] {
				t.Errorf("%s: %s in group %q, want %q", tt.name, c.Field, c.Group, tt.want[i])
			}
			if c.SaltedBy != base()[i].SaltedBy {
				t.Errorf("%s: %s salted by %q changed", tt.name, c.Field, c.SaltedBy)
			}
		}
	}

	cmps := base()
	swapSharedKeys(cmps, map[string]string{"given": "given", "surname": "given", "dob": "dob"})
	if cmps[0].SwapWith != "surname" || cmps[1].SwapWith != "" || cmps[2].SwapWith != "" {
		t.Errorf("swaps %q %q %q, want given with surname", cmps[0].SwapWith, cmps[1].SwapWith, cmps[2].SwapWith)
	}
	cmps = base()
	swapSharedKeys(cmps, map[string]string{"given": "given", "surname": "surname", "dob": "dob"})
	for _, c := range cmps {
		if c.SwapWith != "" {
			t.Errorf("own keys: %s swaps with %q", c.Field, c.SwapWith)
		}
	}
}
