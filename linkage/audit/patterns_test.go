package audit

import (
	"context"
	"math/rand/v2"
	"testing"
)

// TestPatternMining: the token positions of unsalted name filters are
// frequent itemsets, so mining them re-identifies names; inside the
// cohorts of year-salted names it still does; salted with the whole date,
// cohorts are too small to mine; random filters give nothing.
func TestPatternMining(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		salt     string
		min, max float64
	}{
		{"", 0.02, 1},
		{"date(birth_date)", 0, 0.002},
	} {
		t.Run("salt="+tc.salt, func(t *testing.T) {
			in := synthInput(t, synthSchema(t, tc.salt), 6000)
			cohorts, err := SaltCohorts(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			res, err := PatternMining(ctx, in, cohorts, false, PatternConfig{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d records, %d partitions: %.4f (%+v)", res.Records, res.Partitions, res.Reidentified, res.Fields)
			if res.Reidentified < tc.min || res.Reidentified > tc.max {
				t.Fatalf("re-identified %.4f, want [%.3f, %.3f]", res.Reidentified, tc.min, tc.max)
			}
		})
	}
	t.Run("noise", func(t *testing.T) {
		in := synthInput(t, synthSchema(t, ""), 3000)
		r := rand.New(rand.NewPCG(5, 6))
		for _, name := range []string{"given_name", "surname"} {
			col := in.Data.Field(name)
			for i := range col.Filters.Data {
				col.Filters.Data[i] = r.Uint64() & r.Uint64() // about a quarter of the bits set
			}
		}
		res, err := PatternMining(ctx, in, nil, false, PatternConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if res.ReidentifiedRecords > 3 {
			t.Fatalf("re-identified %d records from noise", res.ReidentifiedRecords)
		}
	})
}

// TestPatternMiningCLK: the attack on the CLK runs for every target in it
// and reports the CLK as the attacked column.
func TestPatternMiningCLK(t *testing.T) {
	in := synthInput(t, synthSchema(t, ""), 3000)
	res, err := PatternMining(context.Background(), in, nil, true, PatternConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("CLK: %.4f %+v", res.Reidentified, res.Fields)
	if len(res.Fields) != 2 || res.Fields[0].Column != "clk" || res.Records != in.Data.Len() {
		t.Fatalf("result %+v", res)
	}
}
