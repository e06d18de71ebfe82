package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/testdirs"
	"github.com/welfare-district/swd/linkage/synth"
	"github.com/welfare-district/swd/pipeline"
	"github.com/welfare-district/swd/taxonomy"
)

// exactEpsilon makes the noise of a release round to 0.
const exactEpsilon = 1e6

// linkMonths writes cfg's synthetic months into dir/months, then links
// them (linkDirs) into dir/state; it returns the state directory and each
// month's directory.
func linkMonths(t *testing.T, dir string, cfg synth.MonthsConfig, periods []string) (string, []string) {
	t.Helper()
	if _, err := synth.WriteMonths(context.Background(), cfg, filepath.Join(dir, "months")); err != nil {
		t.Fatal(err)
	}
	var months []string
	for _, period := range periods {
		months = append(months, filepath.Join(dir, "months", period))
	}
	return linkDirs(t, dir, months, periods), months
}

// linkDirs encodes every partner export of each month directory and links
// the months in turn into the state dir/state, which it returns.
func linkDirs(t *testing.T, dir string, months, periods []string) string {
	t.Helper()
	st := filepath.Join(dir, "state")
	for k, m := range months {
		var inputs []string
		for _, d := range encodeExports(t, m, synth.DefaultPartnerNames) {
			path := filepath.Join(dir, periods[k]+"-"+d.Meta.Partner+".swd.parquet")
			if err := writeEncodings(path, d); err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, path)
		}
		if _, err := Link(context.Background(), LinkConfig{Dir: st, Period: periods[k], Inputs: inputs,
			Out: filepath.Join(dir, "links-"+periods[k]+".parquet"), Linkage: testLinkage}); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// publishState releases the state's last period at exactEpsilon into out.
func publishState(t *testing.T, st, out string) *pipeline.PublishResult {
	t.Helper()
	ledger := filepath.Join(filepath.Dir(out), filepath.Base(out)+".ledger")
	if err := dp.InitLedger(ledger, "test", dp.Budget{Epsilon: 2 * exactEpsilon}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := Publish(context.Background(), PublishConfig{Dir: st, Publish: pipeline.PublishConfig{
		Params: dp.Params{Epsilon: exactEpsilon}, Households: pipeline.HouseholdConfig{Public: taxonomy.DefaultPublicServices(),
			Unknown: taxonomy.UnknownUnclassified},
		Ledger: ledger, Out: out}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// readTable reads a released table as district (or the joined keys) →
// value.
func readReleased(t *testing.T, dir, table string) map[string]int64 {
	t.Helper()
	rows := testdirs.ReadCSV(t, filepath.Join(dir, table+".csv"))
	out := map[string]int64{}
	for _, r := range rows[1:] {
		col := 0
		for rows[0][col] != "noisy_value" {
			col++
		}
		key := r[0]
		for _, k := range r[1:col] {
			key += "/" + k
		}
		out[key], _ = strconv.ParseInt(r[col], 10, 64)
	}
	return out
}

// TestPublishFlowsExact: a release of a state's second period at an ε so
// large that the noise rounds to 0 holds, per district, exactly the
// households the state's flows say are new, closed and intercepted, and
// its district table counts the current households (its rows, "district
// unknown" included, add up to them), not the closed ones.
func TestPublishFlowsExact(t *testing.T) {
	tmp := t.TempDir()
	cfg := synth.MonthsConfig{Config: synth.Config{Households: 300, Seed: 6, Corruption: synth.LevelLow}, Months: 2, Intercept: 0.2}
	st, _ := linkMonths(t, tmp, cfg, []string{"2026-01", "2026-02"})
	out := filepath.Join(tmp, "release")
	res := publishState(t, st, out)
	snap, err := Open(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]int64{}
	for _, q := range dp.FlowQueries {
		want[q] = map[string]int64{}
	}
	table := map[string]string{FlowNew: dp.QueryFlowNew, FlowClosed: dp.QueryFlowClosed, FlowIntercepted: dp.QueryFlowIntercepted}
	for _, f := range snap.Flows {
		if f.Period == "2026-02" {
			d := f.District
			if d == "" {
				d = taxonomy.DistrictUnknown
			}
			want[table[f.Kind]][d]++
		}
	}
	for _, q := range dp.FlowQueries {
		if !containsString(res.Tables, q) {
			t.Fatalf("the release has no %s table (%v)", q, res.Tables)
		}
		got := readReleased(t, out, q)
		var total int64
		for district, n := range got {
			if n != want[q][district] {
				t.Errorf("%s, district %s: released %d, the state's flows say %d", q, district, n, want[q][district])
			}
			total += n
		}
		if total == 0 {
			t.Errorf("%s: no household at all: the test proves nothing", q)
		}
	}
	current := int64(len(snap.Households))
	var released int64
	for _, n := range readReleased(t, out, dp.QueryDistrict) {
		released += n
	}
	if released != current {
		t.Errorf("the district table counts %d households, not the %d current ones (closed households counted?)", released, current)
	}
}

// TestPublishFirstPeriodAndPastPeriod: the first period is released
// without flows, and a period other than the state's last is refused.
func TestPublishFirstPeriodAndPastPeriod(t *testing.T) {
	tmp := t.TempDir()
	cfg := synth.MonthsConfig{Config: synth.Config{Households: 100, Seed: 7, Corruption: synth.LevelLow}, Months: 1}
	st, _ := linkMonths(t, tmp, cfg, []string{"2026-01"})
	res := publishState(t, st, filepath.Join(tmp, "r1"))
	for _, q := range dp.FlowQueries {
		if containsString(res.Tables, q) {
			t.Errorf("the first period released %s", q)
		}
	}
	_, err := Publish(context.Background(), PublishConfig{Dir: st, Period: "2025-12", Publish: pipeline.PublishConfig{
		Params: dp.Params{Epsilon: 1}, Households: pipeline.HouseholdConfig{Public: taxonomy.DefaultPublicServices()},
		Ledger: filepath.Join(tmp, "r1.ledger"), Out: filepath.Join(tmp, "r2")}})
	if !errors.Is(err, base.ErrUsage) {
		t.Errorf("a past period: %v, want a usage error", err)
	}
	_, err = Publish(context.Background(), PublishConfig{Dir: st, Publish: pipeline.PublishConfig{
		Params: dp.Params{Epsilon: 1}, Households: pipeline.HouseholdConfig{Public: taxonomy.ParsePublicServices("comune")},
		Ledger: filepath.Join(tmp, "r1.ledger"), Out: filepath.Join(tmp, "r3")}})
	if !errors.Is(err, base.ErrUsage) {
		t.Errorf("other public services than the flows': %v, want a usage error", err)
	}
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestPublishTrend: each release of a state keeps its tables, and the
// report of the next period's release shows every series over both
// periods, with the values each release published; the two releases
// spend one ledger's budget.
func TestPublishTrend(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	cfg := synth.MonthsConfig{Config: synth.Config{Households: 150, Seed: 9, Corruption: synth.LevelLow}, Months: 2}
	if _, err := synth.WriteMonths(ctx, cfg, filepath.Join(tmp, "months")); err != nil {
		t.Fatal(err)
	}
	ledger := filepath.Join(tmp, "ledger")
	if err := dp.InitLedger(ledger, "test", dp.Budget{Epsilon: 3}, nil); err != nil {
		t.Fatal(err)
	}
	var st string
	for _, period := range []string{"2026-01", "2026-02"} {
		st = linkDirs(t, tmp, []string{filepath.Join(tmp, "months", period)}, []string{period})
		if _, err := Publish(ctx, PublishConfig{Dir: st, Publish: pipeline.PublishConfig{
			Params: dp.Params{Epsilon: 1}, Households: pipeline.HouseholdConfig{Public: taxonomy.DefaultPublicServices(),
				Unknown: taxonomy.UnknownUnclassified},
			Ledger: ledger, Out: filepath.Join(tmp, "r-"+period)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(st, releasesDir, period+".json")); err != nil {
			t.Fatalf("%s: the release's tables were not kept: %v", period, err)
		}
	}
	r1, err := os.ReadFile(filepath.Join(tmp, "r-2026-01", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(r1), `id="trend"`) {
		t.Error("the first period's report shows a trend")
	}
	r2, err := os.ReadFile(filepath.Join(tmp, "r-2026-02", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	report := string(r2)
	if !strings.Contains(report, `id="trend"`) {
		t.Fatal("the second period's report shows no trend")
	}
	for _, period := range []string{"2026-01", "2026-02"} {
		for district, v := range readReleased(t, filepath.Join(tmp, "r-"+period), dp.QueryDistrict) {
			row := fmt.Sprintf("<tr><td>%s</td><td>%s</td><td>%s</td><td class=\"n\">%d</td>", dp.QueryDistrict, district, period, v)
			if !strings.Contains(report, row) {
				t.Errorf("the trend has no row %s", row)
			}
		}
	}
	status, err := dp.ReadLedger(ctx, ledger)
	if err != nil {
		t.Fatal(err)
	}
	if status.Spent.Epsilon != 2 {
		t.Errorf("the ledger has spent ε = %g, want 2 (two releases of ε = 1)", status.Spent.Epsilon)
	}
}
