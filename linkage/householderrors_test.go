package linkage

import (
	"math"
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
