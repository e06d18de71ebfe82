package dp

import (
	"fmt"
	"strconv"
)

// Measures of the totals table.
const (
	MeasureHouseholds = "households"
	MeasurePublic     = "known_to_public_services"
	MeasureThirdOnly  = "third_sector_only"
)

// querySpec defines one table: its grouping columns, how many partitions a
// household may contribute to (L0; at most once each), the public
// partitions (nil: partition selection), and the bounded contribution of a
// household.
type querySpec struct {
	name    string
	columns []string
	l0      int64
	public  [][]string
	contrib func(h *Household) [][]string
	// sumUpper > 0 makes the table a sum of value(h), clamped to
	// [0, sumUpper], instead of a count.
	sumUpper int64
	value    func(h *Household) int64
}

func buildSpecs(p *Params, d *Domain) ([]querySpec, error) {
	var allowedNeeds map[string]bool
	if d.Needs != nil {
		allowedNeeds = map[string]bool{}
		for _, n := range d.Needs {
			allowedNeeds[n] = true
		}
	}
	districts := d.DistrictKeys()
	byDistrict := func(h *Household) [][]string {
		if k := d.districtOf(h); k != "" {
			return [][]string{{k}}
		}
		return nil
	}
	var specs []querySpec
	for _, q := range p.ReleasedQueries() {
		var s querySpec
		switch q {
		case QueryDistrictNeed:
			s = querySpec{columns: []string{"district", "need"}, l0: int64(p.MaxNeeds),
				public: cross(districts, d.Needs),
				contrib: func(h *Household) [][]string {
					k := d.districtOf(h)
					if k == "" {
						return nil
					}
					var out [][]string
					for _, n := range boundNeeds(h, allowedNeeds, p.MaxNeeds, p.BoundingKey) {
						out = append(out, []string{k, n})
					}
					return out
				}}
		case QueryDistrict:
			s = querySpec{columns: []string{"district"}, l0: 1, public: single(districts), contrib: byDistrict}
		case QueryPartners:
			if len(d.Partners) == 0 {
				return nil, fmt.Errorf("dp: the partners table needs the list of partners in the domain")
			}
			var parts []string
			for i := 1; i <= len(d.Partners); i++ {
				parts = append(parts, strconv.Itoa(i))
			}
			s = querySpec{columns: []string{"n_partners"}, l0: 1, public: single(parts),
				contrib: func(h *Household) [][]string {
					n, _, _ := distinctPartners(h, d.Public)
					if n == 0 {
						return nil
					}
					return [][]string{{strconv.Itoa(min(n, len(d.Partners)))}}
				}}
		case QueryMissingMiddle:
			s = querySpec{columns: []string{"district"}, l0: 1, public: single(districts),
				contrib: func(h *Household) [][]string {
					if _, pub, third := distinctPartners(h, d.Public); pub || !third {
						return nil
					}
					return byDistrict(h)
				}}
		case QueryNeedsSum:
			s = querySpec{columns: []string{"district"}, l0: 1, public: single(districts), sumUpper: int64(p.MaxNeeds),
				contrib: byDistrict,
				value: func(h *Household) int64 {
					return int64(len(boundNeeds(h, allowedNeeds, p.MaxNeeds, p.BoundingKey)))
				}}
		case QueryTotals:
			s = querySpec{columns: []string{"measure"}, l0: 2,
				public: single([]string{MeasureHouseholds, MeasurePublic, MeasureThirdOnly}),
				contrib: func(h *Household) [][]string {
					n, pub, _ := distinctPartners(h, d.Public)
					switch {
					case n == 0:
						return nil
					case pub:
						return [][]string{{MeasureHouseholds}, {MeasurePublic}}
					}
					return [][]string{{MeasureHouseholds}, {MeasureThirdOnly}}
				}}
		case QueryFlowNew, QueryFlowClosed, QueryFlowIntercepted:
			s = flowSpec(q, single(districts), byDistrict)
		}
		if flowOf[q] == "" {
			s = currentOnly(s)
		}
		s.name = q
		specs = append(specs, s)
	}
	return specs, nil
}

// cross is the public partitions of a two-column table, or nil when either
// dimension is not public.
func cross(a, b []string) [][]string {
	if a == nil || b == nil {
		return nil
	}
	var out [][]string
	for _, x := range a {
		for _, y := range b {
			out = append(out, []string{x, y})
		}
	}
	return out
}

func single(a []string) [][]string {
	if a == nil {
		return nil
	}
	out := make([][]string, len(a))
	for i, x := range a {
		out[i] = []string{x}
	}
	return out
}
