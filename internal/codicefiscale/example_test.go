package codicefiscale_test

import (
	"fmt"
	"time"

	"github.com/welfare-district/swd/internal/codicefiscale"
)

func Example() {
	cf, _ := codicefiscale.Compute(codicefiscale.Person{
		Surname: "Rossi",
		Name:    "Mario",
		Birth:   time.Date(1985, 12, 10, 0, 0, 0, 0, time.UTC),
		Place:   "A562", // Bagno a Ripoli
	})
	fmt.Println(cf, codicefiscale.Valid(cf))

	omo, _ := codicefiscale.Omocode(cf, 2)
	canon, _ := codicefiscale.Canonical(omo)
	fmt.Println(omo, canon)

	info, _ := codicefiscale.Decode(codicefiscale.Normalize("rss mra 85t10 a562s"))
	fmt.Println(info.Day, info.Month, info.Year2, info.Female, info.Place)
	// Output:
	// RSSMRA85T10A562S true
	// RSSMRA85T10A5SNT RSSMRA85T10A562S
	// 10 12 85 false A562
}
