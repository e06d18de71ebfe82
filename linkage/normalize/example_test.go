package normalize_test

import (
	"fmt"

	"github.com/welfare-district/swd/linkage/normalize"
)

func ExampleDateLayouts() {
	layouts := normalize.CompileDateLayouts(normalize.ExpandLayouts(normalize.DefaultDateLayouts))
	for _, s := range []string{"21/08/1994", "1994-08-21", "9.2.1992", "12/25/1990", "next week"} {
		if d, ok := layouts.Parse(s, normalize.PrecisionDay); ok {
			fmt.Println(d)
		} else {
			fmt.Println("not a date")
		}
	}
	// Output:
	// 19940821
	// 19940821
	// 19920209
	// 19901225
	// not a date
}

func ExampleAppendPhonetic() {
	var key []byte
	for _, name := range []string{"GHERARDI", "GERARDI", "SCIARRA", "SARRA"} {
		key = normalize.AppendPhonetic(key[:0], normalize.Name(name, true, true))
		fmt.Println(name, string(key))
	}
	// Output:
	// GHERARDI G663
	// GERARDI G663
	// SCIARRA S600
	// SARRA S600
}

func ExampleDate_AppendString() {
	d, _ := normalize.ParseDate("04-02-2001", normalize.DefaultDateLayouts, normalize.PrecisionDay)
	buf := d.AppendString([]byte("birth="))
	fmt.Println(string(buf), normalize.Date{Year: d.Year}.String())
	// Output: birth=20010204 2001
}
