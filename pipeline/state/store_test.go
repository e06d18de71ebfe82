package state

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestEventsKeptPerPeriod: each run after the first writes its events in
// a file of its period and carries the earlier ones unchanged; Open reads
// them all, in period order, and an erasure writes them back into one
// file. Each partner's snapshot is stored as it was read.
func TestEventsKeptPerPeriod(t *testing.T) {
	ctx := context.Background()
	ds := synthFixture(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "state")
	months := [][]string{
		writeMonth(t, filepath.Join(tmp, "m1"), ds, 0.2, 3),
		writeMonth(t, filepath.Join(tmp, "m2"), ds, 0.1, 4),
		writeMonth(t, filepath.Join(tmp, "m3"), ds, 0, 0),
	}
	perPeriod := map[string]int{}
	var sums []map[string]FileSum
	for k, m := range months {
		period := []string{"2026-01", "2026-02", "2026-03"}[k]
		r, err := Link(ctx, LinkConfig{Dir: dir, Period: period, Inputs: m, Out: filepath.Join(tmp, "l.parquet"), Linkage: testLinkage})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range r.Events {
			perPeriod[period] += n
		}
		mf, err := readManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, mf.Files)
	}
	want := []string{eventsFile, eventsFileOf("2026-02"), eventsFileOf("2026-03")}
	if got := eventFiles(sums[2]); !slices.Equal(got, want) {
		t.Fatalf("event files %v, want %v", got, want)
	}
	if sums[2][eventsFileOf("2026-02")] != sums[1][eventsFileOf("2026-02")] || sums[2][eventsFile] != sums[0][eventsFile] {
		t.Fatal("an earlier period's events file changed")
	}
	snap, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for k, e := range snap.Events {
		got[e.Period]++
		if k > 0 && e.Period < snap.Events[k-1].Period {
			t.Fatalf("event %d of %s after one of %s", k, e.Period, snap.Events[k-1].Period)
		}
	}
	if !reflect.DeepEqual(got, perPeriod) || perPeriod["2026-02"] == 0 {
		t.Fatalf("events per period %v, the runs made %v", got, perPeriod)
	}
	for k, pf := range snap.Manifest.Partners {
		stored, err := os.ReadFile(filepath.Join(dir, snap.Manifest.Dir, pf.File))
		if err != nil {
			t.Fatal(err)
		}
		sent, err := os.ReadFile(months[2][k])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(stored, sent) {
			t.Fatalf("partner %s: the state does not hold its snapshot as sent", pf.Name)
		}
	}

	before := slices.Clone(snap.Events)
	if _, err := Erase(ctx, dir, ds[0].Meta.Partner, []string{ds[0].RecordIDs[0]}, time.Now()); err != nil {
		t.Fatal(err)
	}
	after, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if files := eventFiles(after.Manifest.Files); !slices.Equal(files, []string{eventsFile}) {
		t.Fatalf("after an erasure the events are in %v, want events.parquet alone", files)
	}
	if !reflect.DeepEqual(after.Events, before) {
		t.Fatal("the erasure changed the events")
	}
	// And the next run carries them again.
	if _, err := Link(ctx, LinkConfig{Dir: dir, Period: "2026-04", Inputs: months[2], Out: filepath.Join(tmp, "l.parquet"), Linkage: testLinkage}); err != nil {
		t.Fatal(err)
	}
	last, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(last.Events[:len(before)], before) {
		t.Fatal("the run after the erasure lost events")
	}
}
