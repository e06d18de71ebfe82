package state

import (
	"strings"

	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/incremental"
	"github.com/welfare-district/swd/pipeline"
	"github.com/welfare-district/swd/taxonomy"
)

// Kinds of Flow.
const (
	FlowNew         = "new"         // a household none of whose records was open last period
	FlowClosed      = "closed"      // a household of last period none of whose records is current
	FlowIntercepted = "intercepted" // third-sector only last period, known to a public service now
)

// Household is a household of the last period as the state keeps it for
// the flows of the next one: its stable id, its district (as
// pipeline.HouseholdOf derives it) and whether a public service knows it.
type Household struct {
	Period    string `parquet:"period" json:"period"`
	Household int64  `parquet:"household_id" json:"household_id"`
	District  string `parquet:"district" json:"district"`
	Public    bool   `parquet:"public" json:"public"`
}

// Flow is one household's flow in a period: exact and per household, the
// input of a release over time, never released as it is.
type Flow struct {
	Period    string `parquet:"period" json:"period"`
	Kind      string `parquet:"kind" json:"kind"`
	Household int64  `parquet:"household_id" json:"household_id"`
	District  string `parquet:"district" json:"district"`
}

// FlowConfig says which partners are public services and which attribute
// holds the district.
type FlowConfig struct {
	// Public lists the public-service partners; empty:
	// taxonomy.DefaultPublicServices.
	Public taxonomy.PublicServices
	// DistrictAttr is the attribute holding the district; empty:
	// pipeline.DefaultDistrictAttr.
	DistrictAttr string
}

func (c FlowConfig) withDefaults() FlowConfig {
	if len(c.Public.Partners) == 0 {
		c.Public = taxonomy.DefaultPublicServices()
	}
	if c.DistrictAttr == "" {
		c.DistrictAttr = pipeline.DefaultDistrictAttr
	}
	return c
}

// households derives the period's households from its links and the
// current datasets.
func households(period string, links []incremental.Link, ds []*encoding.Dataset, cfg FlowConfig) []Household {
	district := map[cluster.RecordKey]string{}
	for _, d := range ds {
		col := d.Attr(cfg.DistrictAttr)
		if col == nil {
			continue
		}
		for i, id := range d.RecordIDs {
			district[cluster.RecordKey{Partner: d.Meta.Partner, RecordID: id}] = strings.TrimSpace(col.Values[i])
		}
	}
	members := map[int64][]pipeline.Member{}
	var order []int64
	for _, l := range links {
		if _, ok := members[l.HouseholdID]; !ok {
			order = append(order, l.HouseholdID)
		}
		members[l.HouseholdID] = append(members[l.HouseholdID], pipeline.Member{Partner: l.Partner, District: district[l.Key()]})
	}
	out := make([]Household, 0, len(order))
	for _, id := range order {
		h, _ := pipeline.HouseholdOf(id, members[id], cfg.Public)
		public := false
		for _, p := range h.Partners {
			public = public || cfg.Public.IsPublic(p)
		}
		out = append(out, Household{Period: period, Household: id, District: h.District, Public: public})
	}
	return out
}

// flows compares the period's households with last period's: prev holds
// the records as they were after last period (their household ids), and
// before last period's households.
func flows(period string, links []incremental.Link, now []Household, prev *incremental.State, before []Household) []Flow {
	was := map[cluster.RecordKey]int64{}
	for _, r := range prev.Records {
		if r.Open {
			was[r.Key()] = r.Household
		}
	}
	beforeByID := map[int64]Household{}
	for _, h := range before {
		beforeByID[h.Household] = h
	}
	// prevOf lists, per current household, the households of last period
	// its records were in.
	prevOf := map[int64]map[int64]bool{}
	continued := map[int64]bool{}
	for _, l := range links {
		if prevOf[l.HouseholdID] == nil {
			prevOf[l.HouseholdID] = map[int64]bool{}
		}
		if p, ok := was[l.Key()]; ok {
			prevOf[l.HouseholdID][p] = true
			continued[p] = true
		}
	}
	var out []Flow
	for _, h := range now {
		ps := prevOf[h.Household]
		switch {
		case len(ps) == 0:
			out = append(out, Flow{Period: period, Kind: FlowNew, Household: h.Household, District: h.District})
		case h.Public && allThirdSector(ps, beforeByID):
			out = append(out, Flow{Period: period, Kind: FlowIntercepted, Household: h.Household, District: h.District})
		}
	}
	for _, h := range before {
		if !continued[h.Household] {
			out = append(out, Flow{Period: period, Kind: FlowClosed, Household: h.Household, District: h.District})
		}
	}
	return out
}

// allThirdSector reports whether every household of ids was known last
// period, and to no public service.
func allThirdSector(ids map[int64]bool, before map[int64]Household) bool {
	for id := range ids {
		h, ok := before[id]
		if !ok || h.Public {
			return false
		}
	}
	return true
}
