package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/neighbour"
)

// TestNeighbourReleases is the end-to-end DP check: a population whose
// households have 1–7 needs (more than max_needs = 3) goes through encode →
// link (saving the model) → publish at an ε so large that the values are
// exact; then, for several correctly linked households — with more needs
// than the bound, known to several partners, without district — the same
// exports without that household are encoded with the same secret, linked
// with the saved model and published again. Every table must move by at
// most its declared L1 bound. SWD_LONG_TESTS=1 runs 2,500 households and
// 15 neighbours (a few minutes); the default is small enough for make test.
func TestNeighbourReleases(t *testing.T) {
	households, picks := 400, 12
	if testing.Short() {
		households, picks = 300, 10
	}
	if os.Getenv("SWD_LONG_TESTS") != "" {
		households, picks = 2500, 15
	}
	ctx := context.Background()
	dir := t.TempDir()
	pop, err := neighbour.NewPopulation(neighbour.PopulationConfig{Households: households, Seed: 13})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := neighbour.NewPipeline(dir, schemaFile, dp.Params{MaxNeeds: 3})
	if err != nil {
		t.Fatal(err)
	}
	exports, err := pop.WriteExports(filepath.Join(dir, "exports-full"))
	if err != nil {
		t.Fatal(err)
	}
	full, err := pl.Run(ctx, "full", exports)
	if err != nil {
		t.Fatal(err)
	}
	if got := full.Tables.Names(); len(got) != len(dp.Queries) {
		t.Fatalf("the release has tables %v, want all of %v", got, dp.Queries)
	}
	links, _, err := full.ReadLinks()
	if err != nil {
		t.Fatal(err)
	}
	chosen := pickNeighbours(t, neighbour.CorrectlyLinked(pop, links), 3, picks)
	for _, h := range chosen {
		name := fmt.Sprintf("without-%d", h.ID)
		label := fmt.Sprintf("without household %d (%d needs, partners %v, no district %v)", h.ID, len(h.Needs), h.Partners(), h.NoDistrict)
		exports, err := pop.WriteExports(filepath.Join(dir, "exports-"+name), h.ID)
		if err != nil {
			t.Fatal(err)
		}
		run, err := pl.Run(ctx, name, exports)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range neighbour.Check(t, label, full.Tables, run.Tables) {
			t.Logf("%s: %s", label, d)
		}
	}
	// A household the linkage split in k parts is k linked households:
	// each table may move by k times its bound (group privacy, the k·ε of
	// release.json's split_households), and not more.
	split := neighbour.Split(pop, links)
	var ids []int64
	for h := range split {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	if len(ids) == 0 {
		t.Fatal("the linkage split no household cleanly: the group-privacy check has nothing to check")
	}
	for _, id := range ids[:min(2, len(ids))] {
		h := pop.Household(id)
		k := split[h]
		name := fmt.Sprintf("without-split-%d", id)
		label := fmt.Sprintf("without household %d (split in %d, %d needs, partners %v)", id, k, len(h.Needs), h.Partners())
		exports, err := pop.WriteExports(filepath.Join(dir, "exports-"+name), id)
		if err != nil {
			t.Fatal(err)
		}
		run, err := pl.Run(ctx, name, exports)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range neighbour.CheckGroup(t, label, full.Tables, run.Tables, k) {
			t.Logf("%s: %s", label, d)
		}
	}
}

// pickNeighbours chooses n households among the correctly linked ones:
// first one without district (with more needs than maxNeeds if any), then
// alternately ones with more needs than maxNeeds known to the most
// partners and ones with the most needs, then any.
func pickNeighbours(t *testing.T, linked []*neighbour.Household, maxNeeds, n int) []*neighbour.Household {
	t.Helper()
	var out []*neighbour.Household
	taken := map[int64]bool{}
	take := func(ok func(h *neighbour.Household) bool, better func(a, b *neighbour.Household) bool) bool {
		var best *neighbour.Household
		for _, h := range linked {
			if !taken[h.ID] && ok(h) && (best == nil || better(h, best)) {
				best = h
			}
		}
		if best == nil {
			return false
		}
		taken[best.ID] = true
		out = append(out, best)
		return true
	}
	morePartners := func(a, b *neighbour.Household) bool { return len(a.Partners()) > len(b.Partners()) }
	moreNeeds := func(a, b *neighbour.Household) bool { return len(a.Needs) > len(b.Needs) }
	over := func(h *neighbour.Household) bool { return len(h.Needs) > maxNeeds }
	if !take(func(h *neighbour.Household) bool { return h.NoDistrict && over(h) }, morePartners) &&
		!take(func(h *neighbour.Household) bool { return h.NoDistrict }, morePartners) {
		t.Fatal("no correctly linked household without district")
	}
	for i := 0; len(out) < n; i++ {
		var ok bool
		if i%2 == 0 {
			ok = take(over, morePartners)
		} else {
			ok = take(over, moreNeeds)
		}
		if !ok && !take(func(*neighbour.Household) bool { return true }, moreNeeds) {
			break
		}
	}
	if len(out) < n {
		t.Fatalf("only %d correctly linked households to remove, want %d", len(out), n)
	}
	if len(out[1].Partners()) < 3 || !over(out[1]) {
		t.Fatalf("no correctly linked household known to 3 partners with more than %d needs", maxNeeds)
	}
	return out
}
