package state

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/welfare-district/swd/internal/testdirs"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/incremental"
	"github.com/welfare-district/swd/linkage/synth"
)

// truthLinks are a month's links as the truth has them: households are
// the true households, whose ids the generator keeps from month to month.
func truthLinks(t *testing.T, dir, period string) []incremental.Link {
	t.Helper()
	rows := testdirs.ReadCSV(t, filepath.Join(dir, "truth.csv"))
	var out []incremental.Link
	for _, r := range rows[1:] {
		p, _ := strconv.ParseInt(r[2], 10, 64)
		h, _ := strconv.ParseInt(r[3], 10, 64)
		out = append(out, incremental.Link{Link: cluster.Link{ClusterID: p, HouseholdID: h, Partner: r[0], RecordID: r[1]}, Period: period})
	}
	return out
}

// TestFlowsExactOnTruth: on the true links of synthetic months, the flows
// are exactly the truth's: new households are the arrivals, closed ones
// the departures, intercepted ones the missing-middle households that
// reached the Comune.
func TestFlowsExactOnTruth(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	cfg := synth.MonthsConfig{Config: synth.Config{Households: 1500, Seed: 4, Corruption: synth.LevelLow}, Months: 3, Intercept: 0.1}
	if _, err := synth.WriteMonths(ctx, cfg, tmp); err != nil {
		t.Fatal(err)
	}
	var prev incremental.State
	var before []Household
	for k, period := range []string{"2026-01", "2026-02", "2026-03"} {
		dir := filepath.Join(tmp, period)
		links := truthLinks(t, dir, period)
		ds := encodeExports(t, dir, synth.DefaultPartnerNames)
		now := households(period, links, ds, FlowConfig{}.withDefaults())
		if k > 0 {
			got := map[string]int{}
			for _, f := range flows(period, links, now, &prev, before) {
				got[f.Kind]++
			}
			truth := truthChanges(t, dir)
			want := map[string]int{FlowNew: truth[synth.ChangeArrival], FlowClosed: truth[synth.ChangeDeparture],
				FlowIntercepted: truth[synth.ChangeIntercepted]}
			if want[FlowIntercepted] == 0 {
				t.Fatalf("%s: no interception in the truth: the test proves nothing", period)
			}
			for kind, n := range want {
				if got[kind] != n {
					t.Errorf("%s: %d %s households, the truth says %d", period, got[kind], kind, n)
				}
			}
		}
		prev = incremental.State{}
		for _, l := range links {
			prev.Records = append(prev.Records, incremental.Record{Partner: l.Partner, RecordID: l.RecordID, Household: l.HouseholdID, Open: true})
		}
		before = now
	}
}
