package audit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/normalize"
	"github.com/welfare-district/swd/linkage/schema"
	"github.com/welfare-district/swd/linkage/synth"
)

// synthSchema is the example synth schema with its name salts replaced by
// salt ("" = unsalted; "year(birth_date)", "date(birth_date)").
func synthSchema(t testing.TB, salt string) *schema.Schema {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "examples", "synth", "schema.yaml"))
	if err != nil {
		t.Skip("example schema not present")
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "salt:") {
			if salt == "" {
				continue
			}
			l = l[:strings.Index(l, "salt:")] + "salt: " + salt
		}
		lines = append(lines, l)
	}
	s, err := schema.Parse([]byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// synthRows returns the comune rows of households synthetic households.
func synthRows(t testing.TB, households int, seed uint64) [][]string {
	t.Helper()
	g, err := synth.NewGenerator(synth.Config{Households: households, Seed: seed, Corruption: synth.LevelLow,
		Partners: synth.PartnersByName([]string{"comune"})})
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for range households {
		_, rs := g.Next()
		for _, r := range rs {
			rows = append(rows, r.Fields())
		}
	}
	return rows
}

// synthInput encodes the comune rows of a synthetic run with schema s and
// returns the audit input for the two name fields, with the names of an
// independent run as the public reference.
func synthInput(t testing.TB, s *schema.Schema, households int) *Input {
	t.Helper()
	rows := synthRows(t, households, 1)
	var secret encoding.Secret
	secret[0] = 42
	enc, err := encoding.New(s, secret, "comune")
	if err != nil {
		t.Fatal(err)
	}
	ds, _, _, err := enc.EncodeDataset(context.Background(), synth.Columns, rows)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != len(rows) {
		t.Fatalf("%d of %d rows encoded", ds.Len(), len(rows))
	}
	pub := synthRows(t, households, 99)
	in := &Input{Data: ds, Schema: s}
	for _, name := range []string{"given_name", "surname"} {
		f := s.Field(name)
		col := 3 // nome
		if name == "surname" {
			col = 4
		}
		norm := func(v string) string { return normalize.Name(v, f.Normalize.Particles, f.Normalize.Transliterate) }
		counts := map[string]float64{}
		for _, r := range pub {
			if v := norm(r[col]); v != "" {
				counts[v]++
			}
		}
		var public []NameCount
		for v, c := range counts {
			public = append(public, NameCount{v, c})
		}
		truth := make([]string, len(rows))
		for i, r := range rows {
			truth[i] = norm(r[col])
		}
		in.Targets = append(in.Targets, Target{Field: f, Public: public, Truth: truth})
	}
	return in
}
