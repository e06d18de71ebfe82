package state

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/neighbour"
	"github.com/welfare-district/swd/internal/testdirs"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage/synth"
)

// truthHouseholds reads a month's truth: (partner, record id) → true
// household.
func truthHouseholds(t *testing.T, month string) map[[2]string]string {
	t.Helper()
	rows := testdirs.ReadCSV(t, filepath.Join(month, "truth.csv"))
	out := map[[2]string]string{}
	for _, r := range rows[1:] {
		out[[2]string{r[0], r[1]}] = r[3]
	}
	return out
}

// withoutHousehold copies every partner export of month into dir without
// the records of true household h (and the truth as it is).
func withoutHousehold(t *testing.T, month, dir, h string) {
	t.Helper()
	truth := truthHouseholds(t, month)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	for _, p := range synth.DefaultPartnerNames {
		fh, err := os.Open(filepath.Join(month, p+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		kept := rows[:1]
		for _, r := range rows[1:] {
			if truth[[2]string{p, r[0]}] != h {
				kept = append(kept, r)
			}
		}
		out, err := os.Create(filepath.Join(dir, p+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(out)
		if err := w.WriteAll(kept); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// wholeAndAlone reports whether the links put every record of true
// household h (truth) into one linked household holding nobody else's:
// removing h is then removing one linked household.
func wholeAndAlone(t *testing.T, links string, truth map[[2]string]string, h string) bool {
	t.Helper()
	ls, _, err := linksfile.ReadAny(links)
	if err != nil {
		t.Fatal(err)
	}
	mine := map[int64]bool{}
	for _, l := range ls {
		if truth[[2]string{l.Partner, l.RecordID}] == h {
			mine[l.HouseholdID] = true
		}
	}
	if len(mine) > 1 {
		return false
	}
	for _, l := range ls {
		if mine[l.HouseholdID] && truth[[2]string{l.Partner, l.RecordID}] != h {
			return false
		}
	}
	return true
}

// TestFlowsNeighbour is the end-to-end neighbour check of the flow
// tables, with the harness of internal/neighbour (ReadRelease, Check): one true household removed from every partner's exports of both
// periods, the real pipeline run again (encoding, swd link --state of the
// two periods, swd publish --state at an ε whose noise rounds to 0), and
// every table of the release, the flow tables first, may move by at most
// its declared bound. The households removed are an arrival (new), a
// departure (closed), an interception and one present in both periods,
// each kept whole and alone by the linkage in the periods it is in.
func TestFlowsNeighbour(t *testing.T) {
	if testing.Short() {
		t.Skip("links and publishes two periods five times")
	}
	tmp := t.TempDir()
	periods := []string{"2026-01", "2026-02"}
	cfg := synth.MonthsConfig{Config: synth.Config{Households: 300, Seed: 8, Corruption: synth.LevelLow}, Months: 2, Intercept: 0.3}
	full := filepath.Join(tmp, "full")
	st, months := linkMonths(t, full, cfg, periods)
	publishState(t, st, filepath.Join(full, "release"))
	fullRel, err := neighbour.ReadRelease(filepath.Join(full, "release"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range dp.FlowQueries {
		if fullRel.Bounds[q] != 1 {
			t.Fatalf("%s declares the bound %d, want 1 (one cell, one contribution per household)", q, fullRel.Bounds[q])
		}
	}

	truth := [2]map[[2]string]string{truthHouseholds(t, months[0]), truthHouseholds(t, months[1])}
	alone := func(h string) bool {
		for k, p := range periods {
			if !wholeAndAlone(t, filepath.Join(full, "links-"+p+".parquet"), truth[k], h) {
				return false
			}
		}
		return true
	}
	changes := truthChangesByKind(t, months[1])
	picks := map[string]string{}
	for _, kind := range []string{synth.ChangeArrival, synth.ChangeDeparture, synth.ChangeIntercepted} {
		for _, h := range changes[kind] {
			if alone(h) {
				picks[kind] = h
				break
			}
		}
	}
	changed := map[string]bool{}
	for _, hs := range changes {
		for _, h := range hs {
			changed[h] = true
		}
	}
	for _, h := range truth[1] {
		if !changed[h] && alone(h) {
			picks["steady"] = h
			break
		}
	}
	if len(picks) != 4 {
		t.Fatalf("found households for %v only: the test needs one of each kind", picks)
	}
	for kind, h := range picks {
		dir := filepath.Join(tmp, kind)
		var ms []string
		for k, p := range periods {
			m := filepath.Join(dir, "months", p)
			withoutHousehold(t, months[k], m, h)
			ms = append(ms, m)
		}
		nst := linkDirs(t, dir, ms, periods)
		publishState(t, nst, filepath.Join(dir, "release"))
		rel, err := neighbour.ReadRelease(filepath.Join(dir, "release"))
		if err != nil {
			t.Fatal(err)
		}
		moved := false
		for _, d := range neighbour.Check(t, "without a "+kind+" household", fullRel, rel) {
			if d.L1 > 0 && d.Table == flowTable[kind] {
				moved = true
			}
		}
		if kind != "steady" && !moved {
			t.Errorf("without a %s household: %s did not move: the household was not where the test expected it", kind, flowTable[kind])
		}
	}
}

// flowTable is the flow table each kind of household removed counts in.
var flowTable = map[string]string{synth.ChangeArrival: "flow_new", synth.ChangeDeparture: "flow_closed", synth.ChangeIntercepted: "flow_intercepted"}

// truthChangesByKind reads a month's changes.csv: kind → true households.
func truthChangesByKind(t *testing.T, month string) map[string][]string {
	t.Helper()
	rows := testdirs.ReadCSV(t, filepath.Join(month, "changes.csv"))
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		if _, err := strconv.Atoi(r[2]); err != nil {
			t.Fatal(fmt.Errorf("changes.csv: household id %q", r[2]))
		}
		if !seen[r[1]+"/"+r[2]] {
			seen[r[1]+"/"+r[2]] = true
			out[r[1]] = append(out[r[1]], r[2])
		}
	}
	return out
}
