package pipeline_test

import (
	"fmt"

	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/pipeline"
)

// One household known to the Comune (local code ABI, housing) and to
// Caritas (POV, poverty): one row of the table dp.Publish releases.
func ExampleBuildHouseholds() {
	layout := encoding.Layout{CLKBits: 64, Attrs: []string{"district", "needs"}}
	comune := encoding.NewDataset(encoding.Meta{Partner: "comune"}, layout)
	comune.Append(&encoding.Record{RecordID: "c17", CLK: []uint64{0}, Attrs: []string{"3", "ABI"}})
	caritas := encoding.NewDataset(encoding.Meta{Partner: "caritas"}, layout)
	caritas.Append(&encoding.Record{RecordID: "k4", CLK: []uint64{0}, Attrs: []string{"3", "POV"}})
	links := []cluster.Link{
		{HouseholdID: 0, Partner: "comune", RecordID: "c17"},
		{HouseholdID: 0, Partner: "caritas", RecordID: "k4"},
	}
	hs, st, err := pipeline.BuildHouseholds(links, []*encoding.Dataset{comune, caritas}, pipeline.HouseholdConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d households from %d records\n", st.Households, st.Records)
	fmt.Printf("district %s, needs %v, partners %v\n", hs[0].District, hs[0].Needs, hs[0].Partners)
	// Output:
	// 1 households from 2 records
	// district 3, needs [casa poverta-disagio-adulti], partners [caritas comune]
}
