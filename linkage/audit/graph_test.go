package audit

import (
	"context"
	"testing"
)

// TestGraph: the similarity graph of unsalted name filters mirrors that of
// the names, so graph matching re-identifies many; with names salted by
// the whole date every cohort is a handful of records and nothing is
// matched.
func TestGraph(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		salt     string
		min, max float64
	}{
		{"", 0.05, 1},
		{"date(birth_date)", 0, 0.002},
	} {
		t.Run("salt="+tc.salt, func(t *testing.T) {
			in := synthInput(t, synthSchema(t, tc.salt), 3000)
			cohorts, err := SaltCohorts(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Graph(ctx, in, cohorts, GraphConfig{Sample: 2000, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d sampled records, %d partitions: %.4f (%+v)", res.Records, res.Partitions, res.Reidentified, res.Fields)
			if res.Reidentified < tc.min || res.Reidentified > tc.max {
				t.Fatalf("re-identified %.4f, want [%.3f, %.3f]", res.Reidentified, tc.min, tc.max)
			}
			if tc.salt == "" && res.Records != 2000 {
				t.Fatalf("sample of %d records, want 2000", res.Records)
			}
		})
	}
}
