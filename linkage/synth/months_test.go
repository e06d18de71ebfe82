package synth

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func readRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

func TestWriteMonths(t *testing.T) {
	ctx := context.Background()
	cfg := MonthsConfig{Config: Config{Households: 400, Seed: 3, Corruption: LevelLow, Workers: 2}, Months: 4,
		Move: 0.05, MemberAdd: 0.05, MemberGone: 0.05, Intercept: 0.2, Departure: 0.03}
	dir := t.TempDir()
	st, err := WriteMonths(ctx, cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 4 || st[0].Period != "2026-01" || st[3].Period != "2026-04" || st[0].Households != 400 {
		t.Fatalf("stats %+v", st)
	}
	for _, k := range []string{ChangeArrival, ChangeDeparture, ChangeMove, ChangeMemberAdded, ChangeMemberGone, ChangeIntercepted} {
		n := 0
		for _, s := range st {
			n += s.Changes[k]
		}
		if n == 0 {
			t.Errorf("no %s in four months", k)
		}
	}
	// Record ids are stable: the same id names the same person every month.
	person := map[[2]string]string{}
	for _, s := range st {
		for _, r := range readRows(t, filepath.Join(dir, s.Period, "truth.csv")) {
			k := [2]string{r[0], r[1]}
			if p, ok := person[k]; ok && p != r[2] {
				t.Fatalf("%s: record %v changed person", s.Period, k)
			}
			person[k] = r[2]
		}
	}
	// What changes.csv says happened, happened.
	households := func(period string) map[string]map[string]bool { // household → partners
		out := map[string]map[string]bool{}
		for _, r := range readRows(t, filepath.Join(dir, period, "truth.csv")) {
			if out[r[3]] == nil {
				out[r[3]] = map[string]bool{}
			}
			out[r[3]][r[0]] = true
		}
		return out
	}
	for k := 1; k < len(st); k++ {
		before, now := households(st[k-1].Period), households(st[k].Period)
		for _, c := range readRows(t, filepath.Join(dir, st[k].Period, "changes.csv")) {
			h := c[2]
			switch c[1] {
			case ChangeDeparture:
				if now[h] != nil || before[h] == nil {
					t.Fatalf("%s: departed household %s", st[k].Period, h)
				}
			case ChangeArrival:
				if now[h] == nil || before[h] != nil {
					t.Fatalf("%s: arrived household %s", st[k].Period, h)
				}
			case ChangeIntercepted:
				if before[h]["comune"] || !now[h]["comune"] || before[h]["ulss6"] {
					t.Fatalf("%s: intercepted household %s was known to a public service", st[k].Period, h)
				}
			}
		}
	}
	// Deterministic: the same config writes the same bytes, whatever the
	// number of workers.
	cfg.Workers = 1
	dir2 := t.TempDir()
	if _, err := WriteMonths(ctx, cfg, dir2); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"2026-04/comune.csv", "2026-04/truth.csv", "2026-03/changes.csv"} {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(dir2, name))
		if !bytes.Equal(a, b) || len(a) == 0 {
			t.Errorf("%s differs between runs", name)
		}
	}
	if !reflect.DeepEqual(Columns, readHeader(t, filepath.Join(dir, "2026-02", "caritas.csv"))) {
		t.Error("partner files do not have the contract header")
	}
}

func readHeader(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := csv.NewReader(f).Read()
	if err != nil {
		t.Fatal(err)
	}
	return h
}
