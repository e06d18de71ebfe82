package incremental

import (
	"context"
	"encoding/csv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
	"github.com/welfare-district/swd/linkage/synth"
)

var (
	fixtureOnce sync.Once
	fixtureDS   []*encoding.Dataset
	fixtureErr  error
)

// synthFixture is 300 synthetic households at the five default partners,
// encoded with the synth example schema.
func synthFixture(t *testing.T) []*encoding.Dataset {
	t.Helper()
	fixtureOnce.Do(func() { fixtureDS, fixtureErr = buildFixture(t.TempDir()) })
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureDS
}

func buildFixture(dir string) ([]*encoding.Dataset, error) {
	return buildFixtureWith(dir, synth.Config{Households: 300, Seed: 5, Corruption: synth.LevelLow})
}

// buildFixtureWith writes the synthetic exports of cfg at the five default
// partners into dir and encodes them.
func buildFixtureWith(dir string, cfg synth.Config) ([]*encoding.Dataset, error) {
	var partners []synth.Partner
	for _, name := range synth.DefaultPartnerNames {
		partners = append(partners, synth.DefaultPartner(name))
	}
	cfg.Partners = partners
	if _, err := synth.Write(context.Background(), cfg, dir, nil); err != nil {
		return nil, err
	}
	s, err := schema.Load("../../docs/examples/synth/schema.yaml")
	if err != nil {
		return nil, err
	}
	var secret encoding.Secret
	copy(secret[:], "a fixed secret for tests only!!!")
	var out []*encoding.Dataset
	for _, p := range partners {
		fh, err := os.Open(filepath.Join(dir, p.Name+".csv"))
		if err != nil {
			return nil, err
		}
		rows, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			return nil, err
		}
		enc, err := encoding.New(s, secret, p.Name)
		if err != nil {
			return nil, err
		}
		d, _, _, err := enc.EncodeDataset(context.Background(), rows[0], rows[1:])
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// drop returns the datasets without a random share of their records.
func drop(ds []*encoding.Dataset, share float64, seed uint64) []*encoding.Dataset {
	r := rand.New(rand.NewPCG(seed, 1))
	var out []*encoding.Dataset
	for _, d := range ds {
		var rows []int
		for i := range d.Len() {
			if r.Float64() >= share {
				rows = append(rows, i)
			}
		}
		out = append(out, subset(d, rows))
	}
	return out
}

// pairs is the set of record pairs put in one cluster by key.
func pairs[T any](links []T, key func(T) (int64, cluster.RecordKey)) map[[2]cluster.RecordKey]bool {
	by := map[int64][]cluster.RecordKey{}
	for _, l := range links {
		id, k := key(l)
		by[id] = append(by[id], k)
	}
	out := map[[2]cluster.RecordKey]bool{}
	for _, ks := range by {
		for i := range ks {
			for j := i + 1; j < len(ks); j++ {
				a, b := ks[i], ks[j]
				if a.Compare(b) > 0 {
					a, b = b, a
				}
				out[[2]cluster.RecordKey{a, b}] = true
			}
		}
	}
	return out
}

// agreement is the F1 of pair set x against y.
func agreement(x, y map[[2]cluster.RecordKey]bool) float64 {
	both := 0
	for p := range x {
		if y[p] {
			both++
		}
	}
	if len(x)+len(y) == 0 {
		return 1
	}
	return 2 * float64(both) / float64(len(x)+len(y))
}

func personPairs(ls []Link) map[[2]cluster.RecordKey]bool {
	return pairs(ls, func(l Link) (int64, cluster.RecordKey) { return l.ClusterID, l.Key() })
}

func fullPairs(ls []cluster.Link) map[[2]cluster.RecordKey]bool {
	return pairs(ls, func(l cluster.Link) (int64, cluster.RecordKey) { return l.ClusterID, l.Key() })
}

func TestUpdateMonths(t *testing.T) {
	all := synthFixture(t)
	ctx := context.Background()
	lc := linkage.Config{Workers: 2, USamples: 50_000, Seed: 1}
	month1 := drop(all, 0.1, 7)
	fit, err := linkage.Link(ctx, month1, lc)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Linkage: lc}
	r1, err := Update(ctx, &State{Model: fit.Model}, month1, "2026-01", cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The first period is a full linkage: the same persons as Link's.
	if f := agreement(personPairs(r1.Links), fullPairs(fit.Links)); f != 1 {
		t.Errorf("first period: persons differ from Link's (pair agreement %.4f)", f)
	}
	for _, e := range r1.Events {
		if e.Kind != EventOpen {
			t.Fatalf("first period: event %+v, want only opens", e)
		}
	}

	// The same snapshot again: nothing to search, nothing changes.
	r2, err := Update(ctx, r1.State, month1, "2026-02", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r2.Stats.Candidates != 0 || len(r2.Events) != 0 {
		t.Errorf("same snapshot: %d candidates, events %+v; want none", r2.Stats.Candidates, r2.Events)
	}
	for k := range r2.Links {
		a, b := r1.Links[k], r2.Links[k]
		if a.ClusterID != b.ClusterID || a.HouseholdID != b.HouseholdID || b.FirstPeriod != "2026-01" || b.Period != "2026-02" {
			t.Fatalf("same snapshot: row %d changed from %+v to %+v", k, a, b)
		}
	}

	// Every record now: the newcomers are linked at their cost, and the
	// persons agree with a full relink of the month with the same model.
	r3, err := Update(ctx, r2.State, all, "2026-03", cfg)
	if err != nil {
		t.Fatal(err)
	}
	lc.Model = fit.Model
	full, err := linkage.Link(ctx, all, lc)
	if err != nil {
		t.Fatal(err)
	}
	if f := agreement(personPairs(r3.Links), fullPairs(full.Links)); f < 0.995 {
		t.Errorf("incremental persons agree with a full relink at F1 %.4f < 0.995", f)
	}
	if len(r3.Stats.Drift) == 0 || r3.Stats.Drift[0].Links == 0 || r3.Stats.MaxDrift > 0.5 {
		t.Errorf("newcomers from the same population: drift %+v", r3.Stats.Drift)
	}
	if r3.Stats.New == 0 || r3.Stats.Changed != 0 || r3.Stats.Closed != 0 {
		t.Errorf("stats %+v: want new records, none changed or closed", r3.Stats)
	}
	checkStable(t, r2.Links, r3.Links)

	// A month later some records left: they close, the rest keep ids.
	month4 := drop(all, 0.05, 11)
	r4, err := Update(ctx, r3.State, month4, "2026-04", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r4.Stats.Closed == 0 || r4.Stats.Candidates != 0 {
		t.Errorf("stats %+v: want closed records and no candidates", r4.Stats)
	}
	closed := 0
	for _, r := range r4.State.Records {
		if !r.Open {
			closed++
			if r.LastPeriod != "2026-03" {
				t.Fatalf("closed record last seen %q, want 2026-03", r.LastPeriod)
			}
		}
	}
	if closed != r4.Stats.Closed {
		t.Errorf("%d closed records in the state, stats say %d", closed, r4.Stats.Closed)
	}
	checkStable(t, r3.Links, r4.Links)

	if _, err := Update(ctx, r4.State, month4, "2026-04", cfg); err == nil {
		t.Error("the same period twice was accepted")
	}
}

// checkStable: a person (household) whose records all stay in one person
// (household) of the new period, which holds no other old record, keeps
// its id (at least 99.5% of them; the rules say all).
func checkStable(t *testing.T, before, after []Link) {
	t.Helper()
	for _, level := range []string{LevelPerson, LevelHousehold} {
		id := func(l Link) int64 {
			if level == LevelPerson {
				return l.ClusterID
			}
			return l.HouseholdID
		}
		now := map[cluster.RecordKey]int64{}
		for _, l := range after {
			now[l.Key()] = id(l)
		}
		// groups of the old ids and where their records went
		went := map[int64]map[int64]bool{}
		for _, l := range before {
			if n, ok := now[l.Key()]; ok {
				if went[id(l)] == nil {
					went[id(l)] = map[int64]bool{}
				}
				went[id(l)][n] = true
			}
		}
		// sources of each new id among the old ids
		from := map[int64]map[int64]bool{}
		for old, targets := range went {
			for n := range targets {
				if from[n] == nil {
					from[n] = map[int64]bool{}
				}
				from[n][old] = true
			}
		}
		kept, total := 0, 0
		for old, targets := range went {
			var n int64
			for n = range targets {
			}
			if len(targets) != 1 || len(from[n]) != 1 {
				continue // split or merged: not unchanged
			}
			total++
			if targets[old] {
				kept++
			}
		}
		if total == 0 || float64(kept) < 0.995*float64(total) {
			t.Errorf("%s: %d of %d unsplit ids kept", level, kept, total)
		}
	}
}

func householdPairs(ls []Link) map[[2]cluster.RecordKey]bool {
	return pairs(ls, func(l Link) (int64, cluster.RecordKey) { return l.HouseholdID, l.Key() })
}

func fullHouseholdPairs(ls []cluster.Link) map[[2]cluster.RecordKey]bool {
	return pairs(ls, func(l cluster.Link) (int64, cluster.RecordKey) { return l.HouseholdID, l.Key() })
}

// TestUpdateLinksAsLink: a period whose records are all fresh is linked
// exactly as linkage.Link links it with the same model: each pair of
// partners scored with Link's prior for it (not one prior for all), and
// clustered with Link's settings (the clustering mode with every pair of
// a solved component weighed, the household rule). Before, Update gave
// every pair the model's prior and ignored Clustering and
// HouseholdMinWeight.
func TestUpdateLinksAsLink(t *testing.T) {
	ds := mediumFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		lc   linkage.Config
	}{
		{"defaults", linkage.Config{}},
		{"clustering all", linkage.Config{Clustering: linkage.ClusteringAll}},
		{"household rule", linkage.Config{HouseholdMinWeight: 12}},
		{"no dedup", linkage.Config{NoDedup: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lc := tc.lc
			lc.Workers, lc.USamples, lc.Seed = 2, 50_000, 1
			fit, err := linkage.Link(ctx, ds, lc)
			if err != nil {
				t.Fatal(err)
			}
			if len(fit.Priors) == 0 {
				t.Fatal("Link returned no priors")
			}
			r, err := Update(ctx, &State{Model: fit.Model, Priors: fit.Priors}, ds, "2026-01", Config{Linkage: lc, All: true})
			if err != nil {
				t.Fatal(err)
			}
			if f := agreement(personPairs(r.Links), fullPairs(fit.Links)); f != 1 {
				t.Errorf("persons differ from Link's (pair agreement %.6f)", f)
			}
			if f := agreement(householdPairs(r.Links), fullHouseholdPairs(fit.Links)); f != 1 {
				t.Errorf("households differ from Link's (pair agreement %.6f)", f)
			}
			// The priors are kept for the next period.
			if len(r.State.Priors) != len(fit.Priors) {
				t.Errorf("the next state has %d priors, want %d", len(r.State.Priors), len(fit.Priors))
			}
		})
	}
}

var (
	mediumOnce sync.Once
	mediumDS   []*encoding.Dataset
	mediumErr  error
)

// mediumFixture is 400 synthetic households at the five default partners
// with medium corruption, encoded with the synth example schema.
func mediumFixture(t *testing.T) []*encoding.Dataset {
	t.Helper()
	mediumOnce.Do(func() {
		mediumDS, mediumErr = buildFixtureWith(t.TempDir(), synth.Config{Households: 400, Seed: 8, Corruption: synth.LevelMedium})
	})
	if mediumErr != nil {
		t.Fatal(mediumErr)
	}
	return mediumDS
}
