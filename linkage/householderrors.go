package linkage

import (
	"cmp"
	"slices"

	"github.com/welfare-district/swd/internal/disjoint"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
)

// NearMissFloor is the smallest posterior probability of a scored pair
// below the threshold that EstimateHouseholdErrors considers: such a pair
// may be a true match the linkage missed. Pairs below it add at most
// 0.001 each and are left out.
const NearMissFloor = 0.001

// HouseholdErrors estimates, from the model's posterior probabilities and
// without ground truth, how often the linkage splits a true household into
// several linked households and merges several true households into one.
// The differential-privacy guarantee is per linked household: a true
// household split in k parts is protected at k·ε, and a merged household
// is one unit for two true ones.
type HouseholdErrors struct {
	// Households is the number of linked households.
	Households int `json:"households"`
	// ExpectedSplits is Σ over pairs of linked households of the
	// probability that they are one true household: 1 − Π(1 − p) over the
	// scored pairs (p ≥ NearMissFloor) with a record in each.
	ExpectedSplits float64 `json:"expected_splits"`
	// ExpectedMerges is Σ (1 − p) over the accepted links that joined two
	// records into one person (a spanning forest of each person, heaviest
	// links first): each is a false link that merges two true persons —
	// and so, at most, two true households — with probability 1 − p.
	ExpectedMerges float64 `json:"expected_merges"`
	// SplitRate and MergeRate divide them by Households.
	SplitRate float64 `json:"split_rate"`
	MergeRate float64 `json:"merge_rate"`
}

// EstimateHouseholdErrors estimates the split and merge rates of the
// households in links from the scored pairs edges (any posterior; those
// below NearMissFloor are ignored). The estimates are as good as the
// model's calibration; swd eval measures the true rates where ground
// truth exists.
func EstimateHouseholdErrors(ds []*encoding.Dataset, edges []cluster.Edge, links []cluster.Link) HouseholdErrors {
	type key struct{ partner, record string }
	at := make(map[key]int, len(links))
	households := map[int64]bool{}
	for i, l := range links {
		at[key{l.Partner, l.RecordID}] = i
		households[l.HouseholdID] = true
	}
	link := func(r cluster.Ref) (cluster.Link, bool) {
		if r.Partner < 0 || r.Partner >= len(ds) || r.Row < 0 || r.Row >= len(ds[r.Partner].RecordIDs) {
			return cluster.Link{}, false
		}
		i, ok := at[key{ds[r.Partner].Meta.Partner, ds[r.Partner].RecordIDs[r.Row]}]
		if !ok {
			return cluster.Link{}, false
		}
		return links[i], true
	}
	e := HouseholdErrors{Households: len(households)}
	var between []nearMiss
	var inPerson []cluster.Edge
	for _, ed := range edges {
		if ed.Probability < NearMissFloor {
			continue
		}
		a, okA := link(ed.A)
		b, okB := link(ed.B)
		if !okA || !okB {
			continue
		}
		switch {
		case a.HouseholdID != b.HouseholdID:
			between = append(between, nearMiss{min(a.HouseholdID, b.HouseholdID), max(a.HouseholdID, b.HouseholdID), ed.Probability})
		case a.ClusterID == b.ClusterID:
			inPerson = append(inPerson, ed)
		}
	}
	e.ExpectedSplits = expectedSplits(between)
	// Kruskal per person over its links, heaviest first (ties by record):
	// the links that made the person, each of which may be false.
	slices.SortFunc(inPerson, func(x, y cluster.Edge) int {
		return cmp.Or(cmp.Compare(y.Probability, x.Probability), compareRefs(x.A, y.A), compareRefs(x.B, y.B))
	})
	var sets disjoint.Sparse[cluster.Ref]
	for _, ed := range inPerson {
		ra, rb := sets.Find(ed.A), sets.Find(ed.B)
		if ra == rb {
			continue
		}
		sets.SetParent(ra, rb)
		e.ExpectedMerges += 1 - ed.Probability
	}
	if e.Households > 0 {
		e.SplitRate = e.ExpectedSplits / float64(e.Households)
		e.MergeRate = e.ExpectedMerges / float64(e.Households)
	}
	return e
}

// nearMiss is a scored pair with records in two linked households, lo < hi.
type nearMiss struct {
	lo, hi int64   // the households
	p      float64 // the pair's posterior
}

// expectedSplits is Σ over pairs of households of 1 − Π(1 − p) over their
// near misses, summed in a fixed order (households ascending, each product
// over its posteriors ascending) so that it does not depend on the order
// of the edges. It sorts ms.
func expectedSplits(ms []nearMiss) float64 {
	slices.SortFunc(ms, func(x, y nearMiss) int {
		return cmp.Or(cmp.Compare(x.lo, y.lo), cmp.Compare(x.hi, y.hi), cmp.Compare(x.p, y.p))
	})
	var sum float64
	for lo := 0; lo < len(ms); {
		q := 1.0
		hi := lo
		for ; hi < len(ms) && ms[hi].lo == ms[lo].lo && ms[hi].hi == ms[lo].hi; hi++ {
			q *= 1 - ms[hi].p
		}
		sum += 1 - q
		lo = hi
	}
	return sum
}

// compareRefs orders records by partner, then row.
func compareRefs(x, y cluster.Ref) int {
	return cmp.Or(cmp.Compare(x.Partner, y.Partner), cmp.Compare(x.Row, y.Row))
}
