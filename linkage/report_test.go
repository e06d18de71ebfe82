package linkage

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/welfare-district/swd/linkage/cluster"
)

// clusterFiguresByMaps is addClusterFigures as it was written first, a map
// of partners per person and of persons per household: the reference the
// streaming version must agree with.
func clusterFiguresByMaps(r *Report, links []cluster.Link) {
	partnersOf := map[int64]map[string]int{}
	personsOf := map[int64]map[int64]bool{}
	householdsOf := map[string]map[int64]bool{}
	for _, l := range links {
		if partnersOf[l.ClusterID] == nil {
			partnersOf[l.ClusterID] = map[string]int{}
		}
		partnersOf[l.ClusterID][l.Partner]++
		if personsOf[l.HouseholdID] == nil {
			personsOf[l.HouseholdID] = map[int64]bool{}
		}
		personsOf[l.HouseholdID][l.ClusterID] = true
		if householdsOf[l.Partner] == nil {
			householdsOf[l.Partner] = map[int64]bool{}
		}
		householdsOf[l.Partner][l.HouseholdID] = true
	}
	sizes := map[int]int{}
	for _, ps := range partnersOf {
		n := 0
		for _, c := range ps {
			n += c
		}
		sizes[n]++
		for i := range r.Partners {
			p := &r.Partners[i]
			if c := ps[p.Partner]; c > 0 {
				if n > 1 {
					p.Linked += c
				}
				if len(ps) == 1 {
					p.OnlyHere++
				}
			}
		}
		for i := range r.Pairs {
			pp := &r.Pairs[i]
			if pp.A == pp.B && ps[pp.A] > 1 || pp.A != pp.B && ps[pp.A] > 0 && ps[pp.B] > 0 {
				pp.SharedPersons++
			}
		}
	}
	for i := range r.Partners {
		r.Partners[i].Households = len(householdsOf[r.Partners[i].Partner])
	}
	r.ClusterSizes = sizeCounts(sizes)
	hs := map[int]int{}
	for _, cl := range personsOf {
		hs[len(cl)]++
	}
	r.HouseholdSizes = sizeCounts(hs)
}

func TestClusterFiguresMatchMaps(t *testing.T) {
	names := []string{"acli", "caritas", "comune", "ulss6"}
	newReport := func() *Report {
		r := &Report{}
		// "cgil" is in the report but holds no record; "other" holds
		// records but is not in the report.
		for _, p := range append(slices.Clone(names[:3]), "cgil") {
			r.Partners = append(r.Partners, PartnerSummary{Partner: p})
		}
		for a := range r.Partners {
			for b := a; b < len(r.Partners); b++ {
				r.Pairs = append(r.Pairs, PairSummary{A: r.Partners[a].Partner, B: r.Partners[b].Partner})
			}
		}
		return r
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name     string
		records  int
		shuffled bool
		// split: some persons' records carry two household ids (not what
		// Build writes, but counted all the same).
		split bool
	}{
		{"empty", 0, false, false},
		{"one", 1, false, false},
		{"sorted", 2000, false, false},
		{"shuffled", 2000, true, false},
		{"split households", 2000, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var links []cluster.Link
			var c, h int64
			for len(links) < tc.records {
				size := 1 + rng.IntN(4)
				if rng.IntN(3) > 0 {
					h++
				}
				for range size {
					p := names[rng.IntN(len(names))]
					if rng.IntN(50) == 0 {
						p = "other"
					}
					hh := h
					if tc.split && rng.IntN(10) == 0 {
						hh = h + 1000
					}
					links = append(links, cluster.Link{ClusterID: c, HouseholdID: hh, Partner: p})
				}
				c++
			}
			if tc.shuffled {
				rng.Shuffle(len(links), func(i, j int) { links[i], links[j] = links[j], links[i] })
			}
			want, got := newReport(), newReport()
			clusterFiguresByMaps(want, links)
			got.addClusterFigures(links)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("streaming figures differ from the maps'\ngot  %+v\nwant %+v", got, want)
			}
		})
	}
}
