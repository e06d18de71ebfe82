package taxonomy_test

import (
	"fmt"

	"github.com/welfare-district/swd/taxonomy"
)

func ExampleMapNeeds() {
	acli := taxonomy.MapFor("acli")
	var unknown taxonomy.UnknownStats
	needs, err := taxonomy.MapNeeds(acli, "ADI;PENS;XX9", taxonomy.UnknownUnclassified, &unknown)
	fmt.Println(needs, err)
	n, _ := taxonomy.Default().Need("anziani")
	fmt.Println(n.LabelIT, "/", n.LabelEN, "→ ISTAT", n.IstatArea)
	// Output:
	// [poverta-disagio-adulti famiglia-minori anziani unclassified] <nil>
	// Anziani / Older people → ISTAT ELD
}

// Unknown codes are reported only if they recur: a value seen fewer than
// MinUnknownCount times (perhaps a surname typed into the needs column) is
// aggregated with the other rare ones, never shown.
func ExampleUnknownStats_Counts() {
	acli := taxonomy.MapFor("acli")
	var unknown taxonomy.UnknownStats
	for range 6 {
		_, _ = taxonomy.MapNeeds(acli, "ADI;XX9", taxonomy.UnknownUnclassified, &unknown)
	}
	_, _ = taxonomy.MapNeeds(acli, "ROSSI", taxonomy.UnknownUnclassified, &unknown)
	for _, c := range unknown.Counts() {
		fmt.Println(c.Code, c.Count, c.Distinct)
	}
	// Output:
	// XX9 6 0
	// <rare values> 1 1
}
