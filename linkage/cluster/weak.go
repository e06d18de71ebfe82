package cluster

import "slices"

// splitWeak cuts persons that are the only link between two partner
// households and whose link there is weak: a household must not be joined
// through a single weak person link (Config.HouseholdMinWeight). Each
// person's records are grouped by partner household (a record without one
// is a group of its own); two groups stay together when another person
// also joins their households, or when the strongest pair of the person's
// records across them weighs at least HouseholdMinWeight. The person
// becomes one person per connected set of groups. It returns the persons
// as a new union-find.
func (ix *index) splitWeak(uf *unionFind, es []gedge, cfg Config, st *Stats) *unionFind {
	n := ix.len()
	// Partner household of each record, as a dense id; −1 without one.
	nucleus := make([]int, n)
	ids := map[[2]string]int{}
	for id := range nucleus {
		nucleus[id] = -1
		p := ix.partner[id]
		if hs := ix.partners[p].Households; hs != nil {
			if h := hs[ix.row(id)]; h != "" {
				k := [2]string{ix.partners[p].Name, h}
				v, ok := ids[k]
				if !ok {
					v = len(ids)
					ids[k] = v
				}
				nucleus[id] = v
			}
		}
	}
	members := map[int][]int{}
	var roots []int
	for _, id := range ix.byRank {
		r := uf.find(id)
		if _, ok := members[r]; !ok {
			roots = append(roots, r)
		}
		members[r] = append(members[r], id)
	}
	nucleiOf := func(ms []int) []int {
		var ns []int
		for _, id := range ms {
			if nucleus[id] >= 0 {
				ns = append(ns, nucleus[id])
			}
		}
		slices.Sort(ns)
		return slices.Compact(ns)
	}
	persons := map[[2]int]int{} // persons joining each pair of households
	for _, r := range roots {
		ns := nucleiOf(members[r])
		for a := range ns {
			for b := a + 1; b < len(ns); b++ {
				persons[[2]int{ns[a], ns[b]}]++
			}
		}
	}
	accepted := map[[2]int]float64{}
	for _, e := range es {
		accepted[[2]int{e.lo, e.hi}] = e.weight
		accepted[[2]int{e.hi, e.lo}] = e.weight
	}
	weight := func(x, y int) float64 {
		if w, ok := accepted[[2]int{x, y}]; ok {
			return w
		}
		if cfg.Weight != nil {
			if w, ok := cfg.Weight(ix.ref(x), ix.ref(y)); ok {
				return w
			}
		}
		return 0
	}
	out := newUnionFind(n)
	for _, r := range roots {
		ms := members[r]
		ns := nucleiOf(ms)
		if len(ns) < 2 {
			for _, id := range ms[1:] {
				out.union(ms[0], id)
			}
			continue
		}
		// Groups: one per household, one per record without one.
		group := func(id int) int {
			if nucleus[id] >= 0 {
				return nucleus[id]
			}
			return -1 - id
		}
		strong := map[[2]int]bool{}
		for a := range ns {
			for b := a + 1; b < len(ns); b++ {
				x, y := ns[a], ns[b]
				if persons[[2]int{x, y}] >= 2 {
					strong[[2]int{x, y}] = true
					continue
				}
				best := -1e300
				for _, i := range ms {
					for _, j := range ms {
						if nucleus[i] == x && nucleus[j] == y {
							best = max(best, weight(i, j))
						}
					}
				}
				strong[[2]int{x, y}] = best >= cfg.HouseholdMinWeight
			}
		}
		// Records join when their groups are the same or strongly tied; a
		// record without a household joins its strongest partner record.
		local := newUnionFind(len(ms))
		for a := range ms {
			for b := a + 1; b < len(ms); b++ {
				ga, gb := group(ms[a]), group(ms[b])
				switch {
				case ga == gb:
					local.union(a, b)
				case ga >= 0 && gb >= 0:
					if strong[[2]int{min(ga, gb), max(ga, gb)}] {
						local.union(a, b)
					}
				}
			}
		}
		for a, id := range ms {
			if nucleus[id] >= 0 {
				continue
			}
			bestB, bestW := -1, -1e300
			for b, j := range ms {
				if b != a && nucleus[j] >= 0 {
					if w := weight(id, j); w > bestW {
						bestB, bestW = b, w
					}
				}
			}
			if bestB >= 0 {
				local.union(a, bestB)
			}
		}
		parts := map[int]bool{}
		for a, id := range ms {
			out.union(ms[local.find(a)], id)
			parts[local.find(a)] = true
		}
		if len(parts) > 1 {
			st.WeakSplit++
		}
	}
	return out
}
