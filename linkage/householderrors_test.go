package linkage

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
)

func TestEstimateHouseholdErrors(t *testing.T) {
	ds := []*encoding.Dataset{
		{Meta: encoding.Meta{Partner: "a"}, RecordIDs: []string{"a0", "a1", "a2"}},
		{Meta: encoding.Meta{Partner: "b"}, RecordIDs: []string{"b0", "b1", "b2"}},
	}
	// Persons: {a0,b0} in household 0, {a1} in 1, {b1} in 2, {a2,b2} in 3.
	links := []cluster.Link{
		{ClusterID: 0, HouseholdID: 0, Partner: "a", RecordID: "a0"},
		{ClusterID: 0, HouseholdID: 0, Partner: "b", RecordID: "b0"},
		{ClusterID: 1, HouseholdID: 1, Partner: "a", RecordID: "a1"},
		{ClusterID: 2, HouseholdID: 2, Partner: "b", RecordID: "b1"},
		{ClusterID: 3, HouseholdID: 3, Partner: "a", RecordID: "a2"},
		{ClusterID: 3, HouseholdID: 3, Partner: "b", RecordID: "b2"},
	}
	ref := func(p, r int) cluster.Ref { return cluster.Ref{Partner: p, Row: r} }
	edges := []cluster.Edge{
		{A: ref(0, 0), B: ref(1, 0), Probability: 0.99}, // made person 0
		{A: ref(0, 2), B: ref(1, 2), Probability: 0.9},  // made person 3
		{A: ref(0, 1), B: ref(1, 1), Probability: 0.4},  // missed: households 1 and 2
		{A: ref(0, 1), B: ref(1, 2), Probability: 0.5},  // missed: households 1 and 3
		{A: ref(0, 2), B: ref(1, 1), Probability: 0.5},  // missed: households 3 and 2
		{A: ref(0, 0), B: ref(1, 1), Probability: 1e-4}, // below the floor
	}
	got := EstimateHouseholdErrors(ds, edges, links)
	wantSplits := 0.4 + 0.5 + 0.5
	wantMerges := 0.01 + 0.1
	if got.Households != 4 || math.Abs(got.ExpectedSplits-wantSplits) > 1e-12 || math.Abs(got.ExpectedMerges-wantMerges) > 1e-12 {
		t.Fatalf("got %+v, want 4 households, splits %g, merges %g", got, wantSplits, wantMerges)
	}
	if math.Abs(got.SplitRate-wantSplits/4) > 1e-12 || math.Abs(got.MergeRate-wantMerges/4) > 1e-12 {
		t.Fatalf("rates %+v", got)
	}
	// Two pairs between the same two households combine: 1 − (1−0.4)(1−0.5).
	edges = append(edges, cluster.Edge{A: ref(0, 1), B: ref(1, 1), Probability: 0.5})
	got = EstimateHouseholdErrors(ds, edges, links)
	if want := 1 - 0.6*0.5 + 0.5 + 0.5; math.Abs(got.ExpectedSplits-want) > 1e-12 {
		t.Fatalf("splits %g, want %g", got.ExpectedSplits, want)
	}
	// A third record in a person: only its spanning links count.
	ds[0].RecordIDs = append(ds[0].RecordIDs, "a3")
	links = append(links, cluster.Link{ClusterID: 0, HouseholdID: 0, Partner: "a", RecordID: "a3"})
	edges = append(edges,
		cluster.Edge{A: ref(0, 3), B: ref(1, 0), Probability: 0.8},
		cluster.Edge{A: ref(0, 3), B: ref(0, 0), Probability: 0.7}) // closes a cycle: not counted
	got = EstimateHouseholdErrors(ds, edges, links)
	if want := 0.01 + 0.1 + 0.2; math.Abs(got.ExpectedMerges-want) > 1e-12 {
		t.Fatalf("merges %g, want %g", got.ExpectedMerges, want)
	}
}

// The estimates are the same to the last bit whatever the order of the
// edges: sums and products are taken in a fixed order.
func TestEstimateHouseholdErrorsOrder(t *testing.T) {
	const n = 400 // records at each of two partners, one person each, 4 to a household
	ds := []*encoding.Dataset{{Meta: encoding.Meta{Partner: "a"}}, {Meta: encoding.Meta{Partner: "b"}}}
	var links []cluster.Link
	for _, d := range ds {
		for r := range n {
			id := fmt.Sprintf("%s%d", d.Meta.Partner, r)
			d.RecordIDs = append(d.RecordIDs, id)
			links = append(links, cluster.Link{ClusterID: int64(r), HouseholdID: int64(r / 4), Partner: d.Meta.Partner, RecordID: id})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var edges []cluster.Edge
	for range 20 * n {
		a, b := rng.IntN(n), rng.IntN(n)
		if rng.IntN(3) == 0 {
			b = a // within a person: a link that may be false
		}
		edges = append(edges, cluster.Edge{A: cluster.Ref{Partner: 0, Row: a}, B: cluster.Ref{Partner: 1, Row: b}, Probability: rng.Float64()})
	}
	want := EstimateHouseholdErrors(ds, edges, links)
	if want.ExpectedSplits == 0 || want.ExpectedMerges == 0 {
		t.Fatalf("nothing estimated: %+v", want)
	}
	for i := range 10 {
		rng.Shuffle(len(edges), func(i, j int) { edges[i], edges[j] = edges[j], edges[i] })
		if got := EstimateHouseholdErrors(ds, edges, links); got != want {
			t.Fatalf("shuffle %d: %+v, want %+v", i, got, want)
		}
	}
}
