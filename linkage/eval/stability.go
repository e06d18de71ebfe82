package eval

import (
	"slices"

	"github.com/welfare-district/swd/linkage/cluster"
)

// IDStability is how well the ids of two periods' links files (the stable
// cluster_id and household_id of an incremental linkage) follow the true
// persons and households whose records did not change between them.
type IDStability struct {
	Person    StableLevel `json:"person"`
	Household StableLevel `json:"household"`
}

// StableLevel counts, at one level (persons or households), the true
// entities whose records did not change between two periods and those of
// them that kept their ids.
type StableLevel struct {
	// Unchanged counts the true entities with the same records in both
	// periods (by partner and record id), none of them changed.
	Unchanged int `json:"unchanged"`
	// Kept counts the unchanged entities each of whose records carries the
	// same id in both periods.
	Kept int `json:"kept"`
	// Share is Kept / Unchanged (1 when nothing is unchanged).
	Share float64 `json:"share"`
}

// Stability compares the ids of the links of two periods (before and now)
// over the true entities whose records did not change: an entity is
// unchanged when the truth of both periods gives it the same records and
// changed reports none of them (a record whose content changed between
// the periods: a family that moved; nil: none changed). It keeps its id
// when every one of its records has the same cluster_id (persons) or
// household_id (households) now as before. Records the truth does not
// know are left out; a record of an unchanged entity missing from either
// links file makes the entity not kept. Households are those of the
// truth; a record without a true household is a household of its own, as
// in Evaluate.
func Stability(before, now []cluster.Link, truthBefore, truthNow *Truth, changed func(cluster.RecordKey) bool) IDStability {
	type ids struct{ person, household int64 }
	type groups struct {
		person, household map[string][]cluster.RecordKey
	}
	index := func(links []cluster.Link, truth *Truth) (map[cluster.RecordKey]ids, groups) {
		byKey := make(map[cluster.RecordKey]ids, len(links))
		g := groups{map[string][]cluster.RecordKey{}, map[string][]cluster.RecordKey{}}
		for _, l := range links {
			k := l.Key()
			byKey[k] = ids{l.ClusterID, l.HouseholdID}
			lab, ok := truth.Lookup(k)
			if !ok {
				continue
			}
			g.person[lab.Person] = append(g.person[lab.Person], k)
			h := householdOf(lab, k)
			g.household[h] = append(g.household[h], k)
		}
		// Records the truth names but the links lost still belong to their
		// entity: the entity is then not kept.
		for _, r := range truth.records {
			if slices.ContainsFunc(r.keys, func(k cluster.RecordKey) bool { _, ok := byKey[k]; return ok }) {
				continue
			}
			k := r.keys[0]
			g.person[r.label.Person] = append(g.person[r.label.Person], k)
			h := householdOf(r.label, k)
			g.household[h] = append(g.household[h], k)
		}
		for _, m := range []map[string][]cluster.RecordKey{g.person, g.household} {
			for _, recs := range m {
				slices.SortFunc(recs, cluster.RecordKey.Compare)
			}
		}
		return byKey, g
	}
	idBefore, gBefore := index(before, truthBefore)
	idNow, gNow := index(now, truthNow)
	level := func(gb, gn map[string][]cluster.RecordKey, id func(ids) int64) StableLevel {
		var s StableLevel
		for label, recs := range gn {
			if !slices.Equal(recs, gb[label]) {
				continue
			}
			if changed != nil && slices.ContainsFunc(recs, changed) {
				continue
			}
			s.Unchanged++
			if !slices.ContainsFunc(recs, func(k cluster.RecordKey) bool {
				b, okB := idBefore[k]
				n, okN := idNow[k]
				return !okB || !okN || id(b) != id(n)
			}) {
				s.Kept++
			}
		}
		s.Share = ratio(float64(s.Kept), float64(s.Unchanged))
		return s
	}
	return IDStability{
		Person:    level(gBefore.person, gNow.person, func(i ids) int64 { return i.person }),
		Household: level(gBefore.household, gNow.household, func(i ids) int64 { return i.household }),
	}
}
