package dp

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var testPartners = []string{"acli", "caritas", "cgil", "comune", "ulss6"}

// exactParams has so much ε that the noise rounds to 0: the tests of
// bounding and of the queries see the true counts.
func exactParams() Params {
	return Params{Epsilon: 1e6, MaxNeeds: 2, Split: map[string]float64{QueryDistrictNeed: 0.3, QueryDistrict: 0.15,
		QueryPartners: 0.15, QueryMissingMiddle: 0.15, QueryTotals: 0.15, QueryNeedsSum: 0.1}}
}

func cellMap(t *Table) map[string]int64 {
	m := map[string]int64{}
	for _, c := range t.Cells {
		m[fmt.Sprint(c.Keys)] = c.Value
	}
	return m
}

func TestQueriesExact(t *testing.T) {
	hs := []Household{
		{ID: "a", District: "1", Needs: []string{"casa", "casa", "lavoro"}, Partners: []string{"caritas", "caritas"}},
		{ID: "b", District: "1", Needs: []string{"anziani"}, Partners: []string{"comune", "acli"}},
		{ID: "c", District: "2", Needs: []string{"casa", "lavoro", "salute", "anziani"}, Partners: []string{"cgil", "acli", "caritas"}},
		{ID: "d", District: "9", Needs: []string{"casa"}, Partners: []string{"ulss6"}},      // outside the districts: unknown
		{ID: "e", District: "3", Needs: []string{"not-a-need"}, Partners: []string{"acli"}}, // outside the needs
		{ID: "f", District: "", Needs: []string{"salute"}, Partners: []string{"caritas"}},   // no district: unknown
	}
	a, err := NewAggregation(exactParams(), DefaultDomain(testPartners))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if err := a.Add(h); err != nil {
			t.Fatal(err)
		}
	}
	res, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	get := func(q string) map[string]int64 {
		tb, ok := res.Table(q)
		if !ok {
			t.Fatalf("no table %s", q)
		}
		return cellMap(tb)
	}
	dn := get(QueryDistrictNeed)
	if len(dn) != 7*11 {
		t.Fatalf("district_need has %d cells, want every public partition (6 districts and unknown × 11 needs)", len(dn))
	}
	sum := int64(0)
	for _, v := range dn {
		sum += v
	}
	// a: casa+lavoro (2); b: anziani (1); c: 2 of its 4 needs (MaxNeeds); d, f: one each in unknown; e: outside the needs.
	if sum != 7 || dn["[1 casa]"] != 1 || dn["[1 lavoro]"] != 1 || dn["[1 anziani]"] != 1 || dn["[unknown casa]"] != 1 || dn["[unknown salute]"] != 1 {
		t.Fatalf("district_need: sum %d, %v", sum, dn)
	}
	checks := []struct {
		q    string
		want map[string]int64
	}{
		{QueryDistrict, map[string]int64{"[1]": 2, "[2]": 1, "[3]": 1, "[4]": 0, "[5]": 0, "[6]": 0, "[unknown]": 2}},
		{QueryPartners, map[string]int64{"[1]": 4, "[2]": 1, "[3]": 1, "[4]": 0, "[5]": 0}},
		{QueryMissingMiddle, map[string]int64{"[1]": 1, "[2]": 1, "[3]": 1, "[4]": 0, "[5]": 0, "[6]": 0, "[unknown]": 1}},
		{QueryTotals, map[string]int64{"[households]": 6, "[known_to_public_services]": 2, "[third_sector_only]": 4}},
		// needs after bounding: a 2, b 1, c 2 (of 4), d 1, e 0 (not a need), f 1.
		{QueryNeedsSum, map[string]int64{"[1]": 3, "[2]": 2, "[3]": 0, "[4]": 0, "[5]": 0, "[6]": 0, "[unknown]": 2}},
	}
	for _, c := range checks {
		t.Run(c.q, func(t *testing.T) {
			if got := get(c.q); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %v want %v", got, c.want)
			}
		})
	}
}

// TestOmitUnknownDistrict: with the unknown row omitted, households
// without a (public) district are left out of the district tables.
func TestOmitUnknownDistrict(t *testing.T) {
	d := DefaultDomain(testPartners)
	d.OmitUnknownDistrict = true
	a, err := NewAggregation(exactParams(), d)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []Household{{ID: "a", District: "", Needs: []string{"casa"}, Partners: []string{"acli"}},
		{ID: "b", District: "2", Needs: []string{"casa"}, Partners: []string{"acli"}}} {
		if err := a.Add(h); err != nil {
			t.Fatal(err)
		}
	}
	res, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := res.Table(QueryDistrict)
	if got := cellMap(tb); len(got) != 6 || got["[2]"] != 1 {
		t.Fatalf("district %v", got)
	}
	tt, _ := res.Table(QueryTotals)
	if got := cellMap(tt); got["[households]"] != 2 {
		t.Fatalf("totals %v", got)
	}
}

func TestAggregationStateMachine(t *testing.T) {
	a, err := NewAggregation(exactParams(), DefaultDomain(testPartners))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Result(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Result(); !errors.Is(err, ErrReleased) {
		t.Fatalf("second Result: %v", err)
	}
	if err := a.Add(Household{District: "1"}); !errors.Is(err, ErrReleased) {
		t.Fatalf("Add after Result: %v", err)
	}
	b, _ := NewAggregation(exactParams(), DefaultDomain(testPartners))
	c, _ := NewAggregation(exactParams(), DefaultDomain(testPartners))
	if err := b.Merge(c); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Result(); !errors.Is(err, ErrReleased) {
		t.Fatalf("Result of a merged aggregation: %v", err)
	}
	d, _ := NewAggregation(Params{Epsilon: 2}, DefaultDomain(testPartners))
	if err := b.Merge(d); err == nil {
		t.Fatal("merged aggregations with different parameters")
	}
}

// Merging per-shard aggregations gives the same counts as one aggregation
// over everything (the aggregation is combinable, as on Beam).
func TestMergeEqualsWhole(t *testing.T) {
	hs := synthHouseholds(300, 7)
	whole, _ := NewAggregation(exactParams(), DefaultDomain(testPartners))
	shards := make([]*Aggregation, 3)
	for i := range shards {
		shards[i], _ = NewAggregation(exactParams(), DefaultDomain(testPartners))
	}
	for i, h := range hs {
		_ = whole.Add(h)
		_ = shards[i%3].Add(h)
	}
	for _, s := range shards[1:] {
		if err := shards[0].Merge(s); err != nil {
			t.Fatal(err)
		}
	}
	rw, _ := whole.Result()
	rs, _ := shards[0].Result()
	for i := range rw.Tables {
		if !reflect.DeepEqual(cellMap(&rw.Tables[i]), cellMap(&rs.Tables[i])) {
			t.Fatalf("%s differs after merge", rw.Tables[i].Query)
		}
	}
}

func TestPartitionSelection(t *testing.T) {
	p := Params{Epsilon: 1e6, Delta: 1e-5, Split: map[string]float64{QueryDistrictNeed: 1}}
	d := DefaultDomain(testPartners)
	d.Districts = nil // districts are not public: select them
	a, err := NewAggregation(p, d)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 400; i++ {
		_ = a.Add(Household{ID: fmt.Sprint(i), District: "028060", Needs: []string{"casa"}, Partners: []string{"acli"}})
	}
	_ = a.Add(Household{ID: "rare", District: "028001", Needs: []string{"casa"}, Partners: []string{"acli"}})
	res, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := res.Table(QueryDistrictNeed)
	if !tb.PartitionSelection || len(tb.Cells) != 1 || tb.Cells[0].Keys[0] != "028060" || tb.Cells[0].Value != 400 {
		t.Fatalf("want only the large partition kept, got %+v", tb.Cells)
	}
	if _, err := NewAggregation(Params{Epsilon: 1, Split: map[string]float64{QueryDistrictNeed: 1}}, d); err == nil {
		t.Fatal("partition selection without delta accepted")
	}
}

func TestBoundNeeds(t *testing.T) {
	h := Household{ID: "x", Needs: []string{"casa", "lavoro", "casa", "salute", "anziani", "dipendenze"}}
	got := boundNeeds(&h, nil, 3, "k")
	if len(got) != 3 || !slices.Equal(got, boundNeeds(&h, nil, 3, "k")) {
		t.Fatalf("not deterministic or not bounded: %v", got)
	}
	allowed := map[string]bool{"casa": true, "lavoro": true}
	if got := boundNeeds(&h, allowed, 3, "k"); !slices.Equal(got, []string{"casa", "lavoro"}) {
		t.Fatalf("filtering: %v", got)
	}
	// Over many households the kept needs are spread evenly: no category is
	// systematically dropped. 6,000 households keep 1 of 3 needs: each need
	// expects 2,000 (sd ≈ 36.5); tolerance 200 (> 5 sd).
	kept := map[string]int{}
	for i := 0; i < 6000; i++ {
		h := Household{ID: "same", Seed: fmt.Sprint("h", i), Needs: []string{"casa", "lavoro", "salute"}}
		kept[boundNeeds(&h, nil, 1, "k")[0]]++
	}
	for n, c := range kept {
		if c < 1800 || c > 2200 {
			t.Errorf("need %s kept %d times of 6000, want about 2000", n, c)
		}
	}
}

// TestBoundNeedsIgnoresID: the id is a rank the linkage gives, which moves
// when another household is added or removed; the needs a household keeps
// must not follow it. They follow its own seed (or, without one, its own
// content) only.
func TestBoundNeedsIgnoresID(t *testing.T) {
	needs := []string{"casa", "lavoro", "salute", "anziani", "dipendenze", "disabilita", "immigrazione"}
	for _, seed := range []string{"", "s1", "s2"} {
		var first []string
		for id := range 200 {
			h := Household{ID: fmt.Sprint(id), Seed: seed, District: "2", Needs: needs, Partners: []string{"acli"}}
			got := boundNeeds(&h, nil, 3, "k")
			if first == nil {
				first = got
			}
			if !slices.Equal(got, first) {
				t.Fatalf("seed %q: id %d keeps %v, id 0 keeps %v", seed, id, got, first)
			}
		}
	}
	// Different seeds do choose differently (7 choose 3 = 35 subsets).
	subsets := map[string]bool{}
	for i := range 200 {
		h := Household{Seed: fmt.Sprint("s", i), Needs: needs}
		subsets[strings.Join(boundNeeds(&h, nil, 3, "k"), ",")] = true
	}
	if len(subsets) < 20 {
		t.Fatalf("200 seeds chose only %d subsets of 3 of 7 needs", len(subsets))
	}
}

// TestNeighbourContributions removes one household from a table of
// households numbered by rank, as the linkage numbers them, renumbers the
// rest as the linkage would, and checks that every count table moves by at
// most its declared L1 bound (exact counts from the bounded contributions).
// The pipeline's end-to-end version is pipeline's TestNeighbourReleases.
func TestNeighbourContributions(t *testing.T) {
	d := DefaultDomain([]string{"acli", "caritas", "comune"})
	b, err := NewBounder(Params{Epsilon: 1}, d)
	if err != nil {
		t.Fatal(err)
	}
	var base []Household
	for i := range 500 {
		n := 1 + i%7
		h := Household{Seed: fmt.Sprint("records-of-", i), District: fmt.Sprint(1 + i%6), Needs: d.Needs[i%3 : i%3+n],
			Partners: d.Partners[:1+i%3]}
		if i%25 == 0 {
			h.District = ""
		}
		base = append(base, h)
	}
	counts := func(hs []Household) []map[string]int {
		out := make([]map[string]int, len(b.Tables()))
		for i := range out {
			out[i] = map[string]int{}
		}
		for i := range hs {
			hs[i].ID = fmt.Sprint(i) // a rank, as the linkage gives it
			for t, cells := range b.Contributions(&hs[i]) {
				for _, k := range cells {
					out[t][strings.Join(k, "|")]++
				}
			}
		}
		return out
	}
	full := counts(slices.Clone(base))
	for _, drop := range []int{0, 6, 25, 251, 499} {
		without := counts(append(slices.Clone(base[:drop]), base[drop+1:]...))
		for ti, plan := range b.Tables() {
			l1 := 0
			for k, v := range full[ti] {
				l1 += max(v-without[ti][k], without[ti][k]-v)
			}
			for k, v := range without[ti] {
				if _, ok := full[ti][k]; !ok {
					l1 += v
				}
			}
			if int64(l1) > plan.MaxPartitions*plan.MaxPerPartition {
				t.Errorf("without household %d: %s moved by %d, bound %d", drop, plan.Query, l1, plan.MaxPartitions*plan.MaxPerPartition)
			}
		}
	}
}

func TestPostProcess(t *testing.T) {
	for _, tt := range []struct {
		v       int64
		roundTo int
		want    int64
	}{{-5, 0, 0}, {7, 0, 7}, {7, 5, 5}, {8, 5, 10}, {-3, 5, 0}, {12, 10, 10}} {
		if got := postProcess(tt.v, tt.roundTo); got != tt.want {
			t.Errorf("postProcess(%d, %d) = %d, want %d", tt.v, tt.roundTo, got, tt.want)
		}
	}
}

// synthHouseholds makes n households with a deterministic pattern.
func synthHouseholds(n, seed int) []Household {
	needs := []string{"casa", "lavoro", "salute", "anziani", "famiglia-minori", "immigrazione"}
	var hs []Household
	for i := 0; i < n; i++ {
		k := i*seed + i/7
		h := Household{ID: fmt.Sprint("h", i), District: fmt.Sprint(1 + k%6)}
		for j := 0; j <= k%4; j++ {
			h.Needs = append(h.Needs, needs[(k+j)%len(needs)])
		}
		for j := 0; j <= (k/3)%3; j++ {
			h.Partners = append(h.Partners, testPartners[(k+2*j)%len(testPartners)])
		}
		hs = append(hs, h)
	}
	return hs
}

func TestCost(t *testing.T) {
	d := DefaultDomain(testPartners)
	for _, tt := range []struct {
		name string
		p    Params
		d    func(*Domain)
		want Budget
	}{
		{"laplace public", Params{Epsilon: 1, Delta: 1e-6}, func(*Domain) {}, Budget{1, 0}},
		{"gaussian", Params{Epsilon: 1, Delta: 1e-6, Mechanism: MechanismGaussian}, func(*Domain) {}, Budget{1, 1e-6}},
		{"laplace selection", Params{Epsilon: 1, Delta: 1e-6, Split: map[string]float64{QueryDistrictNeed: 0.5, QueryTotals: 0.5}},
			func(d *Domain) { d.Needs = nil }, Budget{1, 0.5e-6}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dd := d
			tt.d(&dd)
			a, err := NewAggregation(tt.p, dd)
			if err != nil {
				t.Fatal(err)
			}
			if c := a.Cost(); c.Epsilon != tt.want.Epsilon || math.Abs(c.Delta-tt.want.Delta) > 1e-15 {
				t.Fatalf("cost %+v, want %+v", c, tt.want)
			}
		})
	}
}
