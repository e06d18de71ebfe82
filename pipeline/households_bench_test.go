package pipeline

import (
	"strconv"
	"testing"

	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
)

// BenchmarkBuildHouseholds joins 100,000 records of 4 partners (25,000
// each, in households of about 2.5 records) — a city-sized monthly run.
func BenchmarkBuildHouseholds(b *testing.B) {
	partners := []string{"comune", "ulss6", "caritas", "acli"}
	needs := []string{"MIN;ABI", "UOMI;CSM", "POV;OCC", "ISEE;PENS"}
	const perPartner = 25000
	var links []cluster.Link
	var ds []*encoding.Dataset
	for pi, p := range partners {
		var rs []rec
		for i := range perPartner {
			id := p + "-" + strconv.Itoa(i)
			rs = append(rs, rec{id, strconv.Itoa(1 + i%6), needs[pi]})
			links = append(links, link(int64((i*7+pi*3)%40000), p, id))
		}
		ds = append(ds, dataset(p, rs...))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := BuildHouseholds(links, ds, HouseholdConfig{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(links))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
