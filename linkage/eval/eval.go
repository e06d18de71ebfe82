package eval

import (
	"slices"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/cluster"
)

// Report is the evaluation of a links file against ground truth.
type Report struct {
	Records          int    `json:"records"`            // rows of the links file
	Evaluated        int    `json:"evaluated"`          // records with a true label
	NotInTruth       int    `json:"not_in_truth"`       // links rows the truth does not know (left out)
	MissingFromLinks int    `json:"missing_from_links"` // truth records absent from the links (counted as unlinked)
	Person           Level  `json:"person"`
	Household        *Level `json:"household,omitempty"` // when the truth knows households
	// HouseholdCauses breaks the household errors down by cause (split
	// or merged persons, or neither), when the truth knows households.
	HouseholdCauses *HouseholdCauses `json:"household_causes,omitempty"`
}

// Evaluate compares links with truth. Records the truth does not know are
// left out; records the truth names (with their partner) that are not in
// the links count as unlinked singletons, so a record lost before linkage
// costs recall. It fails when no record can be evaluated.
func Evaluate(links []cluster.Link, truth *Truth) (Report, error) {
	rep := Report{Records: len(links)}
	people := newLabels()
	homes := newLabels()
	var predP, predH, trueP, trueH []int64
	seen := make(map[cluster.RecordKey]bool, len(links))
	for _, l := range links {
		k := l.Key()
		seen[k] = true
		lab, ok := truth.Lookup(k)
		if !ok {
			rep.NotInTruth++
			continue
		}
		predP = append(predP, l.ClusterID)
		predH = append(predH, l.HouseholdID)
		trueP = append(trueP, people.id(lab.Person))
		trueH = append(trueH, homes.id(householdOf(lab, k)))
	}
	// Records lost before linkage, in a fixed order so labels are stable.
	var lost []trueRecord
	for _, r := range truth.records {
		if !slices.ContainsFunc(r.keys, func(k cluster.RecordKey) bool { return seen[k] }) {
			lost = append(lost, r)
		}
	}
	slices.SortFunc(lost, func(a, b trueRecord) int {
		return a.keys[0].Compare(b.keys[0])
	})
	nextP, nextH := maxLabel(links)
	for _, r := range lost {
		lab, k := r.label, r.keys[0]
		nextP++
		nextH++
		predP = append(predP, nextP)
		predH = append(predH, nextH)
		trueP = append(trueP, people.id(lab.Person))
		trueH = append(trueH, homes.id(householdOf(lab, k)))
	}
	rep.MissingFromLinks = len(lost)
	rep.Evaluated = len(predP) - len(lost)
	if rep.Evaluated == 0 {
		return rep, base.Invalidf("eval: no record of the links file is known to the ground truth (wrong --truth-format?)")
	}
	rep.Person = compare(predP, trueP)
	if truth.Households {
		h := compare(predH, trueH)
		rep.Household = &h
		hc := householdCauses(predP, trueP, predH, trueH)
		rep.HouseholdCauses = &hc
	}
	return rep, nil
}

// householdOf is the household label, or a label of the record's own when
// the truth leaves it empty.
func householdOf(l Label, k cluster.RecordKey) string {
	if l.Household != "" {
		return "h\x00" + l.Household
	}
	return "r\x00" + k.Partner + "\x00" + k.RecordID
}

func maxLabel(links []cluster.Link) (p, h int64) {
	p, h = -1, -1
	for _, l := range links {
		p, h = max(p, l.ClusterID), max(h, l.HouseholdID)
	}
	return p, h
}

// labels interns strings as dense integers.
type labels map[string]int64

func newLabels() labels { return labels{} }

func (s labels) id(v string) int64 {
	if n, ok := s[v]; ok {
		return n
	}
	n := int64(len(s))
	s[v] = n
	return n
}
