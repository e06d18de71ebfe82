package eval

// HouseholdCauses breaks the household pair errors down by what caused
// them, so that a data team with ground truth can see which stage to
// improve: the person linkage, or the household evidence beyond persons.
//
// A true household split over several linked households loses the pairs
// across its parts. The parts are joined by a split person when a true
// person of the household has records in both (through a chain of such
// persons when the household is in three parts or more): better person
// links would join them. Parts joined by no person hold different members
// (one partner knows the mother, another the child); only evidence of
// co-residence could join them, and no person linkage can. Likewise a
// linked household holding several true households has its false pairs
// either through a linked person mixing records of two of them (a false
// person link), or through no such person (a partner's own household id,
// taken as given, puts the two together).
type HouseholdCauses struct {
	// SplitByPerson counts the missed household pairs whose two records
	// are in parts joined by a split true person.
	SplitByPerson int64 `json:"split_by_person"`
	// SplitNoPerson counts the missed household pairs whose parts share
	// no person: the co-residence gap.
	SplitNoPerson int64 `json:"split_no_person"`
	// MergedByPerson counts the false household pairs whose two true
	// households are joined by a linked person holding records of both.
	MergedByPerson int64 `json:"merged_by_person"`
	// MergedByHouseholdID counts the false household pairs joined by no
	// such person: through the partners' own household ids.
	MergedByHouseholdID int64 `json:"merged_by_household_id"`
}

// householdCauses classifies the household errors of one evaluation,
// given per record its predicted and true person and household. Records
// are grouped in cells (predicted household × true household); cells are
// joined by the persons spanning them, and the errors between two cells
// count as person-made when the cells are joined. It runs in time linear
// in the records.
func householdCauses(predP, trueP, predH, trueH []int64) HouseholdCauses {
	type cell struct{ p, t int64 }
	index := map[cell]int{}
	var size []int64
	var cells []cell
	of := make([]int, len(predH))
	for i := range predH {
		c := cell{predH[i], trueH[i]}
		k, ok := index[c]
		if !ok {
			k = len(cells)
			index[c] = k
			cells = append(cells, c)
			size = append(size, 0)
		}
		size[k]++
		of[i] = k
	}
	// joined returns the components of the cells joined by persons.
	joined := func(person []int64) *unionFind {
		uf := newUnionFind(len(cells))
		first := map[int64]int{}
		for i, p := range person {
			if f, ok := first[p]; ok {
				uf.union(f, of[i])
			} else {
				first[p] = of[i]
			}
		}
		return uf
	}
	// crossPairs sums, over groups of cells, the pairs of records in
	// different cells of a group: (Σn)² − Σn², halved.
	crossPairs := func(group func(k int) [2]int64) int64 {
		sum, sq := map[[2]int64]int64{}, map[[2]int64]int64{}
		for k, n := range size {
			g := group(k)
			sum[g] += n
			sq[g] += n * n
		}
		var out int64
		for g, s := range sum {
			out += (s*s - sq[g]) / 2
		}
		return out
	}
	var hc HouseholdCauses
	// Splits: cells of one true household; by person when a true person
	// joins them.
	byTrue := joined(trueP)
	missed := crossPairs(func(k int) [2]int64 { return [2]int64{cells[k].t, 0} })
	hc.SplitByPerson = crossPairs(func(k int) [2]int64 { return [2]int64{cells[k].t, int64(byTrue.find(k))} })
	hc.SplitNoPerson = missed - hc.SplitByPerson
	// Merges: cells of one linked household; by person when a linked
	// person joins them.
	byPred := joined(predP)
	wrong := crossPairs(func(k int) [2]int64 { return [2]int64{cells[k].p, 0} })
	hc.MergedByPerson = crossPairs(func(k int) [2]int64 { return [2]int64{cells[k].p, int64(byPred.find(k))} })
	hc.MergedByHouseholdID = wrong - hc.MergedByPerson
	return hc
}

// unionFind is a plain union-find over 0…n−1.
type unionFind []int

func newUnionFind(n int) *unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = i
	}
	return &u
}

func (u *unionFind) find(x int) int {
	for (*u)[x] != x {
		(*u)[x] = (*u)[(*u)[x]]
		x = (*u)[x]
	}
	return x
}

func (u *unionFind) union(a, b int) {
	if ra, rb := u.find(a), u.find(b); ra != rb {
		(*u)[ra] = rb
	}
}
