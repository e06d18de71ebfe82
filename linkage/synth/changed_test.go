package synth

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChangedRecords(t *testing.T) {
	dir := t.TempDir()
	cfg := MonthsConfig{Config: Config{Households: 300, Seed: 5, Corruption: LevelMedium}, Months: 2,
		Move: 0.1, MemberAdd: 0.05, Intercept: 0.2}
	if _, err := WriteMonths(context.Background(), cfg, dir); err != nil {
		t.Fatal(err)
	}
	before, now := filepath.Join(dir, "2026-01"), filepath.Join(dir, "2026-02")
	changed, err := ChangedRecords(before, now)
	if err != nil {
		t.Fatal(err)
	}
	// Rows of every partner of both months, by partner and record id.
	rows := func(d string) map[[2]string]string {
		out := map[[2]string]string{}
		for _, p := range DefaultPartnerNames {
			for _, r := range readRows(t, filepath.Join(d, p+".csv")) {
				out[[2]string{p, r[0]}] = strings.Join(r, ",")
			}
		}
		return out
	}
	old, cur := rows(before), rows(now)
	for k, row := range cur {
		o, ok := old[k]
		if want := !ok || o != row; changed[k] != want {
			t.Fatalf("record %v: changed %v, want %v", k, changed[k], want)
		}
	}
	if len(changed) == 0 || len(changed) == len(cur) {
		t.Fatalf("%d of %d records changed", len(changed), len(cur))
	}
	// Every record changes.csv names (members added, interceptions) and
	// every record of an arrival or of a household that moved changed;
	// for a move, at least one partner updated the address.
	households := map[string][][2]string{}
	for _, r := range readRows(t, filepath.Join(now, "truth.csv")) {
		households[r[3]] = append(households[r[3]], [2]string{r[0], r[1]})
	}
	kinds := map[string]int{}
	movedChanged := 0 // households moved that some partner updated (each does with probability 0.9)
	for _, c := range readRows(t, filepath.Join(now, "changes.csv")) {
		kinds[c[1]]++
		switch c[1] {
		case ChangeMemberAdded, ChangeIntercepted:
			if !changed[[2]string{c[3], c[4]}] {
				t.Errorf("%s record not changed", c[1])
			}
		case ChangeArrival:
			for _, k := range households[c[2]] {
				if !changed[k] {
					t.Errorf("record of an arrival not changed")
				}
			}
		case ChangeMove:
			n := 0
			for _, k := range households[c[2]] {
				if changed[k] {
					n++
				}
			}
			if n > 0 {
				movedChanged++
			}
		}
	}
	if kinds[ChangeMove] == 0 || kinds[ChangeArrival] == 0 || kinds[ChangeMemberAdded] == 0 {
		t.Fatalf("changes %v: the test needs moves, arrivals and members added", kinds)
	}
	if movedChanged == 0 {
		t.Errorf("none of %d households that moved has a changed record", kinds[ChangeMove])
	}

	// A partner export missing in now's directory is an error naming the file.
	if err := os.Remove(filepath.Join(now, "acli.csv")); err != nil {
		t.Fatal(err)
	}
	if _, err := ChangedRecords(before, now); err == nil || !strings.Contains(err.Error(), "acli.csv") {
		t.Fatalf("error %v", err)
	}
}
