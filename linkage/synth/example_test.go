package synth_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/welfare-district/swd/linkage/synth"
)

func Example() {
	dir, _ := os.MkdirTemp("", "synth")
	defer os.RemoveAll(dir)
	cfg := synth.Config{
		Households: 100,
		Seed:       7,
		Corruption: synth.LevelMedium,
		Partners:   synth.PartnersByName([]string{"comune", "caritas"}),
	}
	st, err := synth.Write(context.Background(), cfg, dir, nil)
	if err != nil {
		panic(err)
	}
	head, _ := os.ReadFile(filepath.Join(dir, "caritas.csv"))
	fmt.Println(strings.SplitN(string(head), "\n", 2)[0])
	truth, _ := os.ReadFile(filepath.Join(dir, "truth.csv"))
	fmt.Println(st.Households, int64(strings.Count(string(truth), "\n")-1) == st.TotalRecords())
	// Output:
	// record_id,nucleo_id,codice_fiscale,nome,cognome,sesso,data_nascita,comune_nascita,indirizzo,cap,telefono,quartiere,bisogni
	// 100 true
}

func ExampleGenerator() {
	g, _ := synth.NewGenerator(synth.Config{Seed: 1})
	h, rows := g.Next()
	fmt.Println(len(h.Members) >= 1, len(h.Needs) >= 1, len(rows) >= 1)
	// Output: true true true
}
