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
	fmt.Println(unknown.Counts())
	n, _ := taxonomy.Default().Need("anziani")
	fmt.Println(n.LabelIT, "/", n.LabelEN, "→ ISTAT", n.IstatArea)
	// Output:
	// [poverta-disagio-adulti famiglia-minori anziani unclassified] <nil>
	// [{XX9 1}]
	// Anziani / Older people → ISTAT ELD
}
