package encoding_test

import (
	"context"
	"fmt"
	"math/bits"

	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
)

func dice(a, b []uint64) float64 {
	var ab, n int
	for i := range a {
		ab += bits.OnesCount64(a[i] & b[i])
		n += bits.OnesCount64(a[i]) + bits.OnesCount64(b[i])
	}
	return 2 * float64(ab) / float64(n)
}

// Two partners write the same person differently; their encodings agree
// where the plaintexts do.
func Example() {
	s, err := schema.Parse([]byte(`
id_column: id
fields:
  - {name: surname, kind: name, column: cognome}
  - {name: given_name, kind: name, column: nome}
  - {name: birth_date, kind: date, column: nascita}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	var secret encoding.Secret // use encoding.GenerateSecret (swd keygen) in practice
	enc, err := encoding.New(s, secret, "demo")
	if err != nil {
		fmt.Println(err)
		return
	}
	d, _, _, err := enc.EncodeDataset(context.Background(), []string{"id", "cognome", "nome", "nascita"}, [][]string{
		{"a1", "D'Angelo", "Maria Grazia", "02/01/1990"},
		{"b7", "DANGELO", "MARIAGRAZIA", "1990-01-02"},
		{"c3", "Rossi", "Mario", "10/12/1985"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("same person: CLK Dice %.2f\n", dice(d.CLK.At(0), d.CLK.At(1)))
	fmt.Printf("different people: CLK Dice below 0.5: %v\n", dice(d.CLK.At(0), d.CLK.At(2)) < 0.5)
	// Output:
	// same person: CLK Dice 1.00
	// different people: CLK Dice below 0.5: true
}
