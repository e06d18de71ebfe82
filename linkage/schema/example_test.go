package schema_test

import (
	"fmt"

	"github.com/welfare-district/swd/linkage/schema"
)

func Example() {
	s, err := schema.Parse([]byte(`
id_column: record_id
fields:
  - {name: surname, kind: name, column: cognome}
  - {name: birth, kind: date, column: data_nascita}
blocking:
  - {name: sx_year, parts: [soundex(surname), year(birth)]}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	f := s.Field("surname")
	fmt.Println(f.Bits, f.K, f.CLKK, f.Tokens.Q, s.CLK.Bits)
	fmt.Println(len(s.Fingerprint()))
	// Output:
	// 512 20 15 2 1024
	// 64
}
