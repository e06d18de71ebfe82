package dp

import "maps"

// Flow queries: households' movements between the previous period and
// this one, by district, for releases over time (a linkage state). Each
// counts a household at most once, in its district's cell (L0 = 1, one
// contribution): a household has at most one flow in a period.
const (
	QueryFlowNew         = "flow_new"         // households new this period, by district
	QueryFlowClosed      = "flow_closed"      // households of the previous period closed this period, by district
	QueryFlowIntercepted = "flow_intercepted" // third-sector only last period, known to a public service now, by district
)

// Flows of a Household (Household.Flow).
const (
	FlowNew         = "new"
	FlowClosed      = "closed"
	FlowIntercepted = "intercepted"
)

// FlowQueries lists the flow queries, in release order.
var FlowQueries = []string{QueryFlowNew, QueryFlowClosed, QueryFlowIntercepted}

// flowOf is the flow each flow query counts.
var flowOf = map[string]string{QueryFlowNew: FlowNew, QueryFlowClosed: FlowClosed, QueryFlowIntercepted: FlowIntercepted}

// DefaultFlowSplit is the default split of a release with flows: the
// tables of DefaultSplit with 60% of the budget, each flow table 10%,
// intercepted households (Padova's impact indicator) 20%.
var DefaultFlowSplit = map[string]float64{
	QueryDistrictNeed:    0.24,
	QueryDistrict:        0.09,
	QueryPartners:        0.09,
	QueryMissingMiddle:   0.09,
	QueryTotals:          0.09,
	QueryFlowNew:         0.1,
	QueryFlowClosed:      0.1,
	QueryFlowIntercepted: 0.2,
}

// WithFlowSplit returns a copy of p whose split, when it was not given,
// is DefaultFlowSplit.
func WithFlowSplit(p Params) Params {
	if len(p.Split) == 0 {
		p.Split = maps.Clone(DefaultFlowSplit)
	}
	return p
}

// flowSpec is the table of flow query q: the households whose Flow is
// q's, by district (a household outside the districts counts nowhere, or
// where byDistrict puts it).
func flowSpec(q string, districts [][]string, byDistrict func(h *Household) [][]string) querySpec {
	kind := flowOf[q]
	return querySpec{columns: []string{"district"}, l0: 1, public: districts,
		contrib: func(h *Household) [][]string {
			if h.Flow != kind {
				return nil
			}
			return byDistrict(h)
		}}
}

// currentOnly makes s count no household closed this period: a closed
// household is in the flow tables only.
func currentOnly(s querySpec) querySpec {
	contrib := s.contrib
	s.contrib = func(h *Household) [][]string {
		if h.Flow == FlowClosed {
			return nil
		}
		return contrib(h)
	}
	return s
}
