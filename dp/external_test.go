package dp

import (
	"strings"
	"testing"
)

// TestBounderCountsAsAggregation checks that counting the Bounder's
// contributions gives the tables Aggregation releases (at an ε so large
// that the noise rounds away).
func TestBounderCountsAsAggregation(t *testing.T) {
	d := DefaultDomain([]string{"acli", "caritas", "comune"})
	p := Params{Epsilon: 1e9, MaxNeeds: 2}
	hs := []Household{
		{ID: "1", District: "1", Needs: []string{d.Needs[0], d.Needs[1], d.Needs[2]}, Partners: []string{"comune"}},
		{ID: "2", District: "2", Needs: []string{d.Needs[1]}, Partners: []string{"caritas", "acli"}},
		{ID: "3", District: "2", Needs: nil, Partners: []string{"caritas"}},
		{ID: "4", District: "", Needs: []string{d.Needs[0]}, Partners: []string{"comune", "caritas"}},
		{ID: "5", District: "99", Needs: []string{d.Needs[3]}, Partners: []string{"acli"}},
	}
	agg, err := NewAggregation(p, d)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBounder(p, d)
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]map[string]int64, len(b.Tables()))
	for i := range counts {
		counts[i] = map[string]int64{}
		for _, k := range b.Tables()[i].Partitions {
			counts[i][strings.Join(k, "\x1f")] = 0
		}
	}
	for _, h := range hs {
		if err := agg.Add(h); err != nil {
			t.Fatal(err)
		}
		for i, cells := range b.Contributions(&h) {
			if int64(len(cells)) > b.Tables()[i].MaxPartitions {
				t.Fatalf("%s: %d cells", b.Tables()[i].Query, len(cells))
			}
			for _, k := range cells {
				counts[i][strings.Join(k, "\x1f")]++
			}
		}
	}
	res, err := agg.Result()
	if err != nil {
		t.Fatal(err)
	}
	for i, plan := range b.Tables() {
		got, err := b.NoisyTable(plan, counts[i])
		if err != nil {
			t.Fatal(err)
		}
		want, _ := res.Table(plan.Query)
		if len(got.Cells) != len(want.Cells) {
			t.Fatalf("%s: %d cells, want %d", plan.Query, len(got.Cells), len(want.Cells))
		}
		for c := range got.Cells {
			if got.Cells[c].Value != want.Cells[c].Value || strings.Join(got.Cells[c].Keys, ",") != strings.Join(want.Cells[c].Keys, ",") {
				t.Fatalf("%s cell %v: %d, want %v %d", plan.Query, got.Cells[c].Keys, got.Cells[c].Value, want.Cells[c].Keys, want.Cells[c].Value)
			}
		}
		if got.NoiseStd != want.NoiseStd || got.Epsilon != want.Epsilon {
			t.Fatalf("%s: noise %v ε %v, want %v %v", plan.Query, got.NoiseStd, got.Epsilon, want.NoiseStd, want.Epsilon)
		}
	}
}
