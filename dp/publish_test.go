package dp

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/base"
)

// allQueries gives every query, the optional ones included, a share.
func allQueries() map[string]float64 {
	m := map[string]float64{}
	for _, q := range Queries {
		m[q] = 1 / float64(len(Queries))
	}
	return m
}

func publishTo(t *testing.T, hs []Household, p Params, ledger, out string) (*Published, error) {
	t.Helper()
	ensureLedger(t, ledger)
	return Publish(context.Background(), hs, PublishConfig{Params: p, Domain: DefaultDomain(testPartners),
		Ledger: ledger, Binding: testBinding, OutDir: out, CodeVersion: "swd test"})
}

func TestPublishWritesEveryTable(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "release")
	pub, err := publishTo(t, synthHouseholds(400, 5), Params{Epsilon: 1, Split: allQueries()}, filepath.Join(dir, "l"), out)
	if err != nil {
		t.Fatal(err)
	}
	var meta ReleaseMeta
	raw, err := os.ReadFile(filepath.Join(out, "release.json"))
	if err != nil || json.Unmarshal(raw, &meta) != nil {
		t.Fatalf("release.json: %v", err)
	}
	p, err := Parse(meta.Params)
	if err != nil || p.Epsilon != 1 || meta.LedgerEntryID != pub.EntryID || meta.TaxonomyVersion == "" ||
		meta.CodeVersion != "swd test" || meta.Epsilon != 1 || meta.Mechanism != MechanismLaplace || len(meta.Tables) != len(Queries) {
		t.Fatalf("release.json %+v (%v)", meta, err)
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.html"))
	for _, tm := range meta.Tables {
		t.Run(tm.Query, func(t *testing.T) {
			if !(tm.NoiseStd > 0) || !(tm.NoiseScale > 0) || tm.MaxPartitions < 1 {
				t.Fatalf("table meta %+v", tm)
			}
			f, _ := os.Open(filepath.Join(out, tm.CSV))
			rows, err := csv.NewReader(f).ReadAll()
			f.Close()
			if err != nil || !slices.Equal(rows[0], tm.Columns) || len(rows)-1 != tm.Cells {
				t.Fatalf("csv header %v rows %d: %v", rows[0], len(rows), err)
			}
			pq, pqCols, err := readParquet(filepath.Join(out, tm.Parquet))
			if err != nil || len(pq) != tm.Cells || !slices.Equal(pqCols, tm.Columns) {
				t.Fatalf("parquet: %d rows, columns %v, %v", len(pq), pqCols, err)
			}
			for i, r := range rows[1:] {
				n := len(r) - len(valueColumns)
				if fmt.Sprint(pq[i]["noisy_value"]) != r[n] || pq[i]["mechanism"] != "laplace" {
					t.Fatalf("parquet row %d %v differs from csv %v", i, pq[i], r)
				}
				// The report shows every cell with its interval.
				if !bytes.Contains(report, []byte(fmt.Sprintf("<td class=\"n\">%s</td><td class=\"n\">%s – %s</td>", r[n], r[n+1], r[n+2]))) {
					t.Fatalf("report lacks cell %v", r)
				}
			}
		})
	}
	for _, bad := range []string{"<script", "http://", "https://", " src=", "@import", "url("} {
		if bytes.Contains(report, []byte(bad)) {
			t.Errorf("report is not self-contained: contains %q", bad)
		}
	}
}

// A release that would overspend is refused before anything is computed or
// written: no output directory, the ledger byte for byte unchanged.
func TestOverspendWritesNothing(t *testing.T) {
	dir := t.TempDir()
	ledger := filepath.Join(dir, "l")
	initLedger(t, ledger, 1, nil)
	hs := synthHouseholds(100, 3)
	if _, err := publishTo(t, hs, Params{Epsilon: 0.6}, ledger, filepath.Join(dir, "a")); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(ledger)
	pub, err := Publish(context.Background(), hs, PublishConfig{Params: Params{Epsilon: 0.6}, Domain: DefaultDomain(testPartners),
		Ledger: ledger, Binding: testBinding, OutDir: filepath.Join(dir, "b"), DryRun: true})
	if !errors.Is(err, ErrBudgetExhausted) || pub != nil {
		t.Fatalf("dry run of an overspend: %v", err)
	}
	_, err = publishTo(t, hs, Params{Epsilon: 0.6}, ledger, filepath.Join(dir, "b"))
	if !errors.Is(err, ErrBudgetExhausted) {
		t.Fatalf("want ErrBudgetExhausted, got %v", err)
	}
	after, _ := os.ReadFile(ledger)
	if !bytes.Equal(before, after) {
		t.Fatal("refused release changed the ledger")
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"a", "l", "l.head"}) {
		t.Fatalf("refused release left files: %v", names)
	}
	// A dry run that fits reports the cost and writes nothing either.
	pub, err = Publish(context.Background(), hs, PublishConfig{Params: Params{Epsilon: 0.4}, Domain: DefaultDomain(testPartners),
		Ledger: ledger, Binding: testBinding, OutDir: filepath.Join(dir, "c"), DryRun: true})
	if err != nil || pub.Cost.Epsilon != 0.4 || pub.Result != nil {
		t.Fatalf("dry run: %v %+v", err, pub)
	}
	if after2, _ := os.ReadFile(ledger); !bytes.Equal(before, after2) {
		t.Fatal("dry run changed the ledger")
	}
	if _, err := os.Stat(filepath.Join(dir, "c")); err == nil {
		t.Fatal("dry run wrote output")
	}
}

func TestPublishRefusesNonEmptyOutDir(t *testing.T) {
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "old.csv"), nil, 0o644)
	_, err := publishTo(t, nil, Params{Epsilon: 1}, filepath.Join(t.TempDir(), "l"), dir)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("got %v", err)
	}
}

// TestNoUnnoisedNumbers: every non-empty cell of every table has the same
// true count (sums included: one need per household), a canary (7919); with ε small enough that each released
// number equals the canary with probability < 1e-4, the canary must not
// appear in any output file, in decimal or as a little-endian int64.
var canaryEpsilon, canaryBudget = 0.0005, 3.0

func TestNoUnnoisedNumbers(t *testing.T) {
	const canary = 7919
	hs := make([]Household, canary)
	for i := range hs {
		hs[i] = Household{ID: fmt.Sprint(i), District: "4", Needs: []string{"casa"}, Partners: []string{"caritas"}}
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "release")
	ledger := filepath.Join(dir, "l")
	initLedger(t, ledger, canaryBudget, nil)
	if _, err := publishTo(t, hs, Params{Epsilon: canaryEpsilon, Split: allQueries()}, ledger, out); err != nil {
		t.Fatal(err)
	}
	dec := regexp.MustCompile(`(^|[^0-9.])7919([^0-9]|$)`)
	var le [8]byte
	binary.LittleEndian.PutUint64(le[:], canary)
	files, _ := os.ReadDir(out)
	if len(files) != 2*len(Queries)+2 {
		t.Fatalf("%d files", len(files))
	}
	for _, f := range append(files, nil) {
		p := ledger
		if f != nil {
			p = filepath.Join(out, f.Name())
		}
		b, _ := os.ReadFile(p)
		if dec.Match(b) || bytes.Contains(b, le[:]) {
			t.Errorf("%s contains the true count %d", filepath.Base(p), canary)
		}
	}
}

func readParquet(path string) ([]map[string]any, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for _, c := range pf.Schema().Columns() {
		names = append(names, c[0])
	}
	r := parquet.NewGenericReader[map[string]any](pf, pf.Schema())
	defer r.Close()
	rows := make([]map[string]any, pf.NumRows())
	for i := range rows {
		rows[i] = map[string]any{}
	}
	n, err := r.Read(rows)
	if n == len(rows) {
		err = nil
	}
	return rows[:n], names, err
}

// tornLedger writes a ledger with one committed release of ε = 1 (total
// total) and half of a pending entry after it, as a crash in the middle of
// an append leaves it; its mtime is set in the past so that any write shows.
func tornLedger(t *testing.T, path string, total float64) {
	t.Helper()
	initLedger(t, path, total, nil)
	reserve(t, path, nil, Budget{Epsilon: 1}, true)
	line, _, _ := encodeLine(Entry{Type: EntryPending, ID: "r-x", Cost: &Budget{Epsilon: 1}}, nil)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Write(line[:len(line)/2])
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(path, past, past); err != nil {
		t.Fatal(err)
	}
}

// fileState is a file's bytes and mtime, or absent.
type fileState struct {
	exists bool
	data   []byte
	mtime  time.Time
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return fileState{}
	}
	if err != nil {
		t.Fatal(err)
	}
	if fi.IsDir() {
		return fileState{true, nil, fi.ModTime()}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{true, b, fi.ModTime()}
}

// A dry run reads the ledger and changes nothing: a torn last line is not
// cut off. It reports the cost, the budget and the errors the real release
// would.
func TestDryRunLeavesTheLedgerAlone(t *testing.T) {
	hs := synthHouseholds(50, 2)
	tests := []struct {
		name    string
		setup   func(t *testing.T, ledger string)
		eps     float64
		wantErr error // of both the dry and the real run
		before  Budget
		spent   float64
		torn    bool
	}{
		{"missing ledger", func(*testing.T, string) {}, 1, base.ErrUsage, Budget{}, 0, false},
		{"torn last line", func(t *testing.T, p string) { tornLedger(t, p, 3) }, 1.5, nil, Budget{Epsilon: 3}, 1, true},
		{"torn last line, overspend", func(t *testing.T, p string) { tornLedger(t, p, 3) }, 2.5, ErrBudgetExhausted, Budget{}, 0, true},
		{"intact ledger", func(t *testing.T, p string) { initLedger(t, p, 2, nil) }, 0.5, nil, Budget{Epsilon: 2}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ledger := filepath.Join(dir, "padova.ledger")
			tt.setup(t, ledger)
			before, beforeHead := stateOf(t, ledger), stateOf(t, HeadPath(ledger))
			cfg := PublishConfig{Params: Params{Epsilon: tt.eps}, Domain: DefaultDomain(testPartners),
				Ledger: ledger, Binding: testBinding, OutDir: filepath.Join(dir, "out"), DryRun: true}
			dry, err := Publish(context.Background(), hs, cfg)
			for _, f := range []struct {
				name          string
				before, after fileState
			}{{"ledger", before, stateOf(t, ledger)}, {"head", beforeHead, stateOf(t, HeadPath(ledger))}} {
				if f.after.exists != f.before.exists || !bytes.Equal(f.after.data, f.before.data) || !f.after.mtime.Equal(f.before.mtime) {
					t.Fatalf("the dry run changed the %s: exists %v→%v, %d→%d bytes, mtime %v→%v", f.name,
						f.before.exists, f.after.exists, len(f.before.data), len(f.after.data), f.before.mtime, f.after.mtime)
				}
			}
			files := 0
			if before.exists {
				files = 2
			}
			if entries, _ := os.ReadDir(dir); len(entries) != files {
				t.Fatalf("the dry run left files: %v", entries)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || dry != nil {
					t.Fatalf("dry run: %v, want %v", err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if dry.Cost.Epsilon != tt.eps || dry.Result != nil || dry.Before.Path != ledger || dry.Before.Total != tt.before ||
					dry.Before.Spent.Epsilon != tt.spent || dry.Before.TornTail != tt.torn {
					t.Fatalf("dry run %+v, before %+v", dry, dry.Before)
				}
			}
			// The real release: the same cost, or the same error.
			cfg.DryRun = false
			real, rerr := Publish(context.Background(), hs, cfg)
			if tt.wantErr != nil {
				if !errors.Is(rerr, tt.wantErr) {
					t.Fatalf("real run: %v, want %v", rerr, tt.wantErr)
				}
				if after := stateOf(t, ledger); after.exists != before.exists {
					t.Fatal("the refused release created a ledger")
				}
				return
			}
			if rerr != nil {
				t.Fatal(rerr)
			}
			if real.Cost != dry.Cost || real.Before.Total != dry.Before.Total || real.Before.Spent != dry.Before.Spent || real.Before.Left != dry.Before.Left {
				t.Fatalf("real run cost %+v before %+v; dry run cost %+v before %+v", real.Cost, real.Before, dry.Cost, dry.Before)
			}
		})
	}
}

// A ledger that does not exist fails the dry run as it fails the release
// (usage error), and a ledger that is not one is an integrity error for
// both.
func TestDryRunLedgerErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.ledger")
	if err := os.WriteFile(garbage, []byte("not a ledger\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, ledger string
		want         error
	}{
		{"directory missing", filepath.Join(dir, "no", "such", "dir", "l"), base.ErrUsage},
		{"not a ledger", garbage, base.ErrIntegrity},
		{"a directory", dir, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := stateOf(t, tt.ledger)
			for _, dryRun := range []bool{true, false} {
				_, err := Publish(context.Background(), nil, PublishConfig{Params: Params{Epsilon: 0.1}, Domain: DefaultDomain(testPartners),
					Ledger: tt.ledger, Binding: testBinding, OutDir: filepath.Join(dir, "out"), DryRun: dryRun})
				if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
					t.Fatalf("dry run %v: %v, want %v", dryRun, err, tt.want)
				}
				if dryRun {
					if after := stateOf(t, tt.ledger); !bytes.Equal(after.data, before.data) || !after.mtime.Equal(before.mtime) {
						t.Fatal("the dry run changed the file")
					}
				}
			}
		})
	}
}

// A release with ε above WeakEpsilon is made, but says plainly, in
// release.json and in the report, that it protects little; one at the
// threshold does not.
func TestWeakEpsilonIsSaidPlainly(t *testing.T) {
	dir := t.TempDir()
	hs := synthHouseholds(100, 3)
	for _, tt := range []struct {
		eps  float64
		weak bool
	}{{WeakEpsilon, false}, {20, true}} {
		out := filepath.Join(dir, fmt.Sprint(tt.eps))
		pub, err := publishTo(t, hs, Params{Epsilon: tt.eps}, filepath.Join(dir, "l"), out)
		if err != nil {
			t.Fatal(err)
		}
		var meta ReleaseMeta
		if err := json.Unmarshal(stateOf(t, filepath.Join(out, "release.json")).data, &meta); err != nil {
			t.Fatal(err)
		}
		report := string(stateOf(t, filepath.Join(out, "report.html")).data)
		said := (pub.Warning != "") && len(meta.Warnings) == 1 && strings.Contains(meta.Warnings[0], "protect the households little") &&
			strings.Contains(report, "proteggono poco") && strings.Contains(report, "close to the exact counts")
		silent := pub.Warning == "" && len(meta.Warnings) == 0 && !strings.Contains(report, "weak-protection")
		if tt.weak && !said || !tt.weak && !silent {
			t.Fatalf("ε = %g: warning %q, release.json %q, report says it: %v", tt.eps, pub.Warning, meta.Warnings, strings.Contains(report, "proteggono poco"))
		}
	}
}

// release.json records the ledger's id and its head after the release:
// the release's pending entry.
func TestReleaseRecordsTheLedgerHead(t *testing.T) {
	dir := t.TempDir()
	ledger := filepath.Join(dir, "l")
	out := filepath.Join(dir, "r")
	pub, err := publishTo(t, synthHouseholds(50, 2), Params{Epsilon: 1}, ledger, out)
	if err != nil {
		t.Fatal(err)
	}
	var meta ReleaseMeta
	if err := json.Unmarshal(stateOf(t, filepath.Join(out, "release.json")).data, &meta); err != nil {
		t.Fatal(err)
	}
	lines := ledgerLines(t, ledger)
	if meta.LedgerEntries != 2 || meta.LedgerHead != decodeHash(t, lines[1]) || meta.LedgerID != decodeHash(t, lines[0]) ||
		pub.After.Head != decodeHash(t, lines[2]) || pub.After.Entries != 3 {
		t.Fatalf("release.json ledger %s head %s (%d entries); after %+v", meta.LedgerID, meta.LedgerHead, meta.LedgerEntries, pub.After)
	}
}
