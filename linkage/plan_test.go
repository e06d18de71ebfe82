package linkage

import (
	"context"
	"math"
	"testing"
)

// TestPlanLink: on the whole data the plan's pairs are Link's; from a
// sample of a third of the records they are within a factor of two.
func TestPlanLink(t *testing.T) {
	f := synthFixture(t)
	res, err := Link(context.Background(), f.ds, Config{USamples: 20_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var actual float64
	for _, p := range res.Report.Pairs {
		actual += float64(p.Candidates)
	}
	full, err := PlanLink(context.Background(), f.ds, Config{Seed: 1}, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if full.SampleShare != 1 || full.Candidates != actual {
		t.Fatalf("whole data: share %g, %g pairs, Link had %g", full.SampleShare, full.Candidates, actual)
	}
	largest := 0
	for _, d := range f.ds {
		largest = max(largest, d.Len())
	}
	p, err := PlanLink(context.Background(), f.ds, Config{Seed: 1}, largest/3)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sample %.2f: %.0f pairs estimated, %.0f actual; %d MB, %.1f s", p.SampleShare, p.Candidates, actual, p.PeakBytes>>20, p.Seconds)
	if p.SampleShare > 0.34 || p.Candidates < actual/2 || p.Candidates > 2*actual {
		t.Fatalf("sample %.2f: %.0f pairs estimated, %.0f actual", p.SampleShare, p.Candidates, actual)
	}
	if p.PeakBytes <= p.DatasetBytes || p.Seconds <= 0 || len(p.Jobs) != len(res.Report.Pairs) {
		t.Fatalf("implausible plan %+v", p)
	}
	for _, q := range []*Plan{full, p} {
		if q.BlockingSeconds <= 0 || q.RecordSeconds < q.BlockingSeconds || q.PairSeconds <= 0 ||
			math.Abs(q.Seconds-(q.RecordSeconds+q.PairSeconds)) > 1e-9*q.Seconds {
			t.Errorf("sample %.2f: %.3g s = %.3g s with the records (blocking %.3g s) + %.3g s with the pairs",
				q.SampleShare, q.Seconds, q.RecordSeconds, q.BlockingSeconds, q.PairSeconds)
		}
	}
}
