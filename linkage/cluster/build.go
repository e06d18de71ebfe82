package cluster

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/disjoint"
)

// Config configures Build.
type Config struct {
	// Threshold is the posterior probability a link needs to be accepted.
	Threshold float64
	// Assignment is how links between each pair of partners are made one
	// to one before clustering: AssignOptimal (default) or AssignGreedy.
	Assignment Assignment
	// MinDensity guards de-duplication against chaining: a link between
	// two records of the same partner merges their clusters only if at
	// least this share of the record pairs across the two clusters are
	// linked (at or above Threshold). Single-linkage chaining, where one
	// spurious duplicate link fuses two families' records, is the main
	// source of false pairs in de-duplication. 0 disables the guard;
	// DefaultConfig sets DefaultMinDensity. Links between different
	// partners are not subject to it: the one-record-per-partner rule
	// already bounds them, and blocking may miss some of a person's pairs.
	MinDensity float64
	// Veto, when set, is asked before two persons are merged: if it calls
	// any pair of records across the two clusters a certain non-match,
	// the merge is refused (Stats.Vetoed). It guards against chains where a
	// record with little information (no fiscal code, no birth date) links
	// to two people whose own records contradict each other. Clusters of
	// more than maxVetoPairs cross pairs are not checked.
	Veto func(a, b Ref) bool
	// Progress, when set, is told how many of the accepted links the
	// clustering has considered, of how many.
	Progress func(done, total int64)
	// Correlation selects the connected components of the accepted links
	// that are solved with SolveComponent, on the evidence of every pair
	// of their records (scored by Weight), instead of merged links
	// heaviest first: there a record joins a person when the evidence of
	// all its pairs with that person's records is for it, not because one
	// link is. Components of more than SolveMaxNodes records are always
	// merged (MinDensity and Veto apply there).
	Correlation Correlation
	// Weight, with Correlation, scores a pair of records of one component
	// that is not among the accepted links: its log2 posterior odds, as
	// Edge.Weight (ok false: unknown, no evidence). Nil: such pairs weigh
	// 0, except that Veto still forbids pairs it calls certain
	// non-matches. It must be deterministic and safe to call from the
	// goroutine running Build.
	Weight func(a, b Ref) (w float64, ok bool)
	// VetoWeight, with Correlation and Weight, forbids the pairs whose
	// weight is below it from one person, as Veto does (0: no limit).
	VetoWeight float64
	// FloorWeight, with Correlation, bounds the weight of a pair that is
	// not vetoed from below (see SolveConfig.FloorWeight).
	FloorWeight float64
	// HouseholdMinWeight: a person who is the only link between two
	// partner households must be linked across them by a pair weighing at
	// least this (log2 posterior odds); otherwise the person is split
	// there, and the households stay apart (see splitWeak). At or below
	// the log-odds of Threshold it has no effect.
	HouseholdMinWeight float64
	// SolveMaxNodes bounds the components solved with Correlation (0:
	// DefaultMaxNodes).
	SolveMaxNodes int
}

// progressEvery is how many links the clustering considers between two
// calls of Config.Progress.
const progressEvery = 1 << 16

// maxVetoPairs bounds the pairs Veto is asked about for one merge.
const maxVetoPairs = 4096

// DefaultMinDensity is the MinDensity of DefaultConfig.
const DefaultMinDensity = 0.3

// DefaultConfig is the configuration swd link uses unless told otherwise.
func DefaultConfig() Config {
	return Config{Threshold: 0.5, Assignment: AssignOptimal, MinDensity: DefaultMinDensity, Correlation: CorrelationContested}
}

// Correlation selects the components Build solves on all their pairs.
type Correlation int

const (
	// CorrelationOff merges every component's links heaviest first.
	CorrelationOff Correlation = iota
	// CorrelationContested solves the components the heaviest-first
	// merge could not make one person (it refused a link: a partner
	// twice, a sparse duplicate, a veto): where records compete, all the
	// evidence decides. A component whose links all merged stays one
	// person.
	CorrelationContested
	// CorrelationAll solves every component of three records or more.
	CorrelationAll
)

// Assignment selects the one-to-one assignment between two partners.
type Assignment int

const (
	// AssignOptimal maximises the total weight exactly within small
	// connected components and is greedy in larger ones.
	AssignOptimal Assignment = iota
	// AssignGreedy takes links heaviest first while both records are free.
	AssignGreedy
)

// Stats counts what Build did with the links.
type Stats struct {
	Records    int `json:"records"`
	Edges      int `json:"edges"`       // distinct pairs at or above the threshold
	Assigned   int `json:"assigned"`    // left after the one-to-one assignment per partner pair
	Merged     int `json:"merged"`      // links that joined two clusters
	Refused    int `json:"refused"`     // links refused: they would put two records of a partner in one person
	Sparse     int `json:"sparse"`      // duplicate links refused by the MinDensity guard
	Vetoed     int `json:"vetoed"`      // merges refused because Veto called a cross pair a certain non-match
	Components int `json:"components"`  // connected components of the accepted links with three records or more, solved with Correlation
	Split      int `json:"split"`       // of these, components that became several persons
	WeakSplit  int `json:"weak_split"`  // persons split because they alone, and weakly, joined two partner households
	CoResident int `json:"co_resident"` // households joined because they alone shared a co-residence key
	Clusters   int `json:"clusters"`    // persons
	Households int `json:"households"`  // households
}

// maxPartners bounds the partners Build takes (a cluster's partners are a
// bit set).
const maxPartners = 64

// Build turns scored links into person clusters and households, one Link
// per input record, sorted by (ClusterID, Partner, RecordID).
//
//  1. Links below cfg.Threshold are dropped; a pair given twice keeps its
//     heaviest link.
//  2. For each pair of distinct partners, links are made one to one
//     (cfg.Assignment). Links within one partner (duplicates) are kept.
//  3. Links are merged heaviest first (ties by record keys) with a
//     union-find that refuses a merge that would put two records of the
//     same partner in one person — unless the link itself joins two records
//     of that partner (an accepted duplicate), and then only that partner
//     may repeat, and only if the two clusters are densely linked
//     (cfg.MinDensity).
//  4. Households are the connected components of persons joined by any
//     partner's own household id (records of a partner sharing a non-empty
//     household id live together).
//  5. Two of these households that are the only ones to hold a
//     co-residence key (Partner.CoResidence), and have no partner in
//     common, are joined: a partner knowing both under different household
//     ids says they are two. Keys held by three households or more say
//     nothing and are ignored.
//
// Clusters and households are numbered 0, 1, … in the order of their
// smallest (partner, record id) member, so the output does not depend on
// the order of partners, records or links. A record's MatchProbability is
// the highest probability among its accepted links — the links that ended
// inside its cluster — and 0 for a record linked to nothing.
func Build(ctx context.Context, partners []Partner, links []Edge, cfg Config) ([]Link, Stats, error) {
	if len(partners) > maxPartners {
		return nil, Stats{}, base.Usagef("cluster: at most %d partners, not %d", maxPartners, len(partners))
	}
	if !(cfg.Threshold >= 0 && cfg.Threshold <= 1) {
		return nil, Stats{}, base.Usagef("cluster: threshold must be in [0, 1]")
	}
	if !(cfg.MinDensity >= 0 && cfg.MinDensity <= 1) {
		return nil, Stats{}, base.Usagef("cluster: minimum density must be in [0, 1]")
	}
	ix, err := newIndex(partners)
	if err != nil {
		return nil, Stats{}, err
	}
	es, err := ix.edges(links, cfg.Threshold)
	if err != nil {
		return nil, Stats{}, err
	}
	st := Stats{Records: ix.len(), Edges: len(es)}
	if err := ctx.Err(); err != nil {
		return nil, st, fmt.Errorf("cluster: %w", err)
	}
	es = ix.assignPairs(es, cfg.Assignment == AssignOptimal)
	st.Assigned = len(es)
	var uf *unionFind
	if cfg.Correlation != CorrelationOff {
		uf = ix.solve(ctx, es, cfg, &st)
	} else {
		uf = ix.merge(es, cfg, &st)
	}
	if cfg.HouseholdMinWeight > logOdds(cfg.Threshold) {
		uf = ix.splitWeak(uf, es, cfg, &st)
	}
	if err := ctx.Err(); err != nil {
		return nil, st, fmt.Errorf("cluster: %w", err)
	}
	out := ix.links(uf, es, &st)
	return out, st, nil
}

// assignPairs makes the links between each pair of distinct partners one to
// one and keeps within-partner links.
func (ix *index) assignPairs(es []gedge, optimal bool) []gedge {
	byPair := map[[2]int][]gedge{}
	var out []gedge
	for _, e := range es {
		p, q := ix.partner[e.lo], ix.partner[e.hi]
		if p == q {
			out = append(out, e)
			continue
		}
		k := [2]int{min(p, q), max(p, q)}
		byPair[k] = append(byPair[k], e)
	}
	for _, pe := range byPair {
		out = append(out, ix.oneToOne(pe, optimal)...)
	}
	ix.sortEdges(out)
	return out
}

// merge runs the constrained greedy union-find over es (sorted).
func (ix *index) merge(es []gedge, cfg Config, st *Stats) *unionFind {
	minDensity := cfg.MinDensity
	uf := newUnionFind(ix.len())
	mask := make([]uint64, ix.len()) // partners present in each root's cluster
	for id := range mask {
		mask[id] = 1 << uint(ix.partner[id])
	}
	var g *density
	if minDensity > 0 {
		g = newDensity(ix.len(), es)
	}
	var members [][]int32 // records of each root's cluster, with Veto
	if cfg.Veto != nil {
		members = make([][]int32, ix.len())
		for id := range members {
			members[id] = []int32{int32(id)}
		}
	}
	for k, e := range es {
		if cfg.Progress != nil && (k+1)%progressEvery == 0 {
			cfg.Progress(int64(k+1), int64(len(es)))
		}
		x, y := uf.find(e.lo), uf.find(e.hi)
		if x == y {
			continue
		}
		overlap := mask[x] & mask[y]
		p, q := ix.partner[e.lo], ix.partner[e.hi]
		allowed := overlap == 0 || (p == q && overlap == 1<<uint(p))
		if !allowed {
			st.Refused++
			continue
		}
		if p == q && g != nil && !g.dense(uf, x, y, minDensity) {
			st.Sparse++
			continue
		}
		if members != nil && ix.vetoed(cfg.Veto, members[x], members[y]) {
			st.Vetoed++
			continue
		}
		root, absorbed := uf.union(x, y)
		if members != nil {
			members[root] = append(members[root], members[absorbed]...)
			members[absorbed] = nil
		}
		mask[root] = mask[x] | mask[y]
		if g != nil {
			g.join(root, absorbed)
		}
		st.Merged++
	}
	if cfg.Progress != nil {
		cfg.Progress(int64(len(es)), int64(len(es)))
	}
	return uf
}

// vetoed reports whether veto calls any pair across xs and ys a certain
// non-match.
func (ix *index) vetoed(veto func(a, b Ref) bool, xs, ys []int32) bool {
	if len(xs)*len(ys) > maxVetoPairs {
		return false
	}
	for _, x := range xs {
		for _, y := range ys {
			if veto(ix.ref(int(x)), ix.ref(int(y))) {
				return true
			}
		}
	}
	return false
}

// links numbers clusters and households and writes one Link per record.
func (ix *index) links(uf *unionFind, es []gedge, st *Stats) []Link {
	n := ix.len()
	best := make([]float64, n)
	for _, e := range es {
		if uf.find(e.lo) == uf.find(e.hi) {
			best[e.lo] = max(best[e.lo], e.prob)
			best[e.hi] = max(best[e.hi], e.prob)
		}
	}
	// Persons numbered by their smallest member in rank order.
	clusterOf := make([]int64, n)
	rootID := map[int]int64{}
	for _, id := range ix.byRank {
		r := uf.find(id)
		c, ok := rootID[r]
		if !ok {
			c = int64(len(rootID))
			rootID[r] = c
		}
		clusterOf[id] = c
	}
	st.Clusters = len(rootID)
	household := ix.households(clusterOf, st.Clusters, st)
	out := make([]Link, 0, n)
	for _, id := range ix.byRank {
		k := ix.key(id)
		out = append(out, Link{ClusterID: clusterOf[id], HouseholdID: household[clusterOf[id]], Partner: k.Partner, RecordID: k.RecordID, MatchProbability: best[id]})
	}
	sortLinks(out)
	hh := map[int64]bool{}
	for _, h := range household {
		hh[h] = true
	}
	st.Households = len(hh)
	return out
}

// households joins persons through each partner's own household ids and
// the co-residence keys, and returns the household number of each person,
// numbered by smallest member (persons are already numbered in that
// order).
func (ix *index) households(clusterOf []int64, nClusters int, st *Stats) []int64 {
	uf := newUnionFind(nClusters)
	for p, pt := range ix.partners {
		if pt.Households == nil {
			continue
		}
		first := map[string]int64{}
		for row, h := range pt.Households {
			if h == "" {
				continue
			}
			c := clusterOf[ix.offset[p]+row]
			if f, ok := first[h]; ok {
				uf.union(int(f), int(c))
			} else {
				first[h] = c
			}
		}
	}
	st.CoResident = ix.coResident(uf, clusterOf, nClusters)
	out := make([]int64, nClusters)
	num := map[int]int64{}
	for c := range nClusters { // persons in order of their smallest member
		r := uf.find(c)
		h, ok := num[r]
		if !ok {
			h = int64(len(num))
			num[r] = h
		}
		out[c] = h
	}
	return out
}

// coResident joins, in uf (over persons), the households that are the
// only two to hold a co-residence key and have no partner in common, and
// returns how many joins it made. A household holds its records'
// CoResidence keys, or, for partners with CoResidenceAt, every
// combination of a key and a place of its records. Households are
// identified by their smallest person number and pairs are joined in that
// order, each only if the two households (as joined so far) still have no
// partner in common, so the result does not depend on the order of
// partners or records.
func (ix *index) coResident(uf *unionFind, clusterOf []int64, nClusters int) int {
	mask := make([]uint64, nClusters) // partners of each household (at its root)
	var keys, contacts, places []held
	for id := range ix.partner {
		h := uf.find(int(clusterOf[id]))
		mask[h] |= 1 << uint(ix.partner[id])
		pt, row := &ix.partners[ix.partner[id]], ix.row(id)
		var k uint64
		if pt.CoResidence != nil {
			k = pt.CoResidence[row]
		}
		switch {
		case pt.CoResidenceAt != nil:
			if k != 0 {
				contacts = append(contacts, held{h, k})
			}
			if a := pt.CoResidenceAt[row]; a != 0 {
				places = append(places, held{h, a})
			}
		case k != 0:
			keys = append(keys, held{h, k})
		}
	}
	keys = combinations(keys, contacts, places)
	if len(keys) == 0 {
		return 0
	}
	// Canonical name of each household: its smallest person.
	canon := make([]int, nClusters)
	for c := range canon {
		canon[c] = nClusters
	}
	for c := range nClusters {
		r := uf.find(c)
		canon[r] = min(canon[r], c)
	}
	var pairs [][2]int
	CoResidentPairs(keys, func(k held) uint64 { return k.v }, func(x, y held) int { return cmp.Compare(x.h, y.h) },
		func(k held) uint64 { return mask[k.h] },
		func(a, b held) { pairs = append(pairs, [2]int{canon[a.h], canon[b.h]}) })
	joins, _ := JoinCoResident(pairs, func(c int) uint64 { return mask[uf.find(c)] })
	for _, p := range joins {
		uf.union(uf.find(p[0]), uf.find(p[1]))
	}
	return len(joins)
}

// JoinCoResident makes the co-residence joins of Build (step 5) among
// households named by ints in the order of their smallest (partner,
// record id) member: pairs are the pairs of households that are the only
// two to hold a co-residence key (CoResidentPairs; either household first,
// repeats allowed), mask gives the partners of a household before any
// join. The pairs are put in (smaller, larger) order and taken in
// ascending order, each joined only if the two households, as joined so
// far, have no partner in common. It returns the pairs it joined, in that
// order, and root, which names the joined set of household h by its
// smallest household (h itself when h joined none). Pairs of two connected
// components of the pairs do not interact, so a runner may call it on each
// component on its own.
func JoinCoResident(pairs [][2]int, mask func(h int) uint64) (joins [][2]int, root func(h int) int) {
	ps := make([][2]int, 0, len(pairs))
	for _, p := range pairs {
		if p[0] != p[1] {
			ps = append(ps, [2]int{min(p[0], p[1]), max(p[0], p[1])})
		}
	}
	slices.SortFunc(ps, func(x, y [2]int) int { return cmp.Or(cmp.Compare(x[0], y[0]), cmp.Compare(x[1], y[1])) })
	ps = slices.Compact(ps)
	var sets disjoint.Sparse[int]
	find := sets.Find
	masks := map[int]uint64{}
	maskOf := func(r int) uint64 {
		if m, ok := masks[r]; ok {
			return m
		}
		return mask(r)
	}
	for _, p := range ps {
		a, b := find(p[0]), find(p[1])
		if a == b {
			continue
		}
		ma, mb := maskOf(a), maskOf(b)
		if ma&mb != 0 {
			continue
		}
		r := min(a, b) // each set's root is its smallest household
		sets.SetParent(a, r)
		sets.SetParent(b, r)
		masks[r] = ma | mb
		joins = append(joins, p)
	}
	return joins, find
}

// held is a co-residence key (or a contact, or a place) v held by
// household h.
type held struct {
	h int
	v uint64
}

// maxCombinations bounds the keys one household makes of its contacts and
// places; a household with more (hundreds of records under one partner
// household id) makes none.
const maxCombinations = 1 << 12

// combinations appends to keys, for each household, every combination of
// one of its contacts with one of its places.
func combinations(keys, contacts, places []held) []held {
	byHousehold := func(x, y held) int { return cmp.Or(cmp.Compare(x.h, y.h), cmp.Compare(x.v, y.v)) }
	slices.SortFunc(contacts, byHousehold)
	slices.SortFunc(places, byHousehold)
	contacts, places = slices.Compact(contacts), slices.Compact(places)
	j := 0
	for i := 0; i < len(contacts); {
		h, c0 := contacts[i].h, i
		for i < len(contacts) && contacts[i].h == h {
			i++
		}
		for j < len(places) && places[j].h < h {
			j++
		}
		p0 := j
		for j < len(places) && places[j].h == h {
			j++
		}
		if (i-c0)*(j-p0) > maxCombinations {
			continue
		}
		for _, c := range contacts[c0:i] {
			for _, p := range places[p0:j] {
				keys = append(keys, held{h, combine(c.v, p.v)})
			}
		}
	}
	return keys
}

// combine hashes a contact and a place into one key (never 0).
func combine(c, p uint64) uint64 {
	x := c*0x9e3779b97f4a7c15 ^ p
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	if x == 0 {
		x = 1
	}
	return x
}

// HouseholdCoResidence returns the co-residence keys one household holds,
// as Build derives them from its records' Partner.CoResidence (contacts)
// and Partner.CoResidenceAt (places) values, 0 meaning none: every
// combination of a contact with a place (none when there are more than
// maxCombinations), sorted, without repeats. A runner that clusters
// households apart calls it on each household's records and makes the
// joins across households with JoinCoResident.
func HouseholdCoResidence(contacts, places []uint64) []uint64 {
	var cs, ps []held
	for _, c := range contacts {
		if c != 0 {
			cs = append(cs, held{0, c})
		}
	}
	for _, p := range places {
		if p != 0 {
			ps = append(ps, held{0, p})
		}
	}
	var out []uint64
	for _, k := range combinations(nil, cs, ps) {
		out = append(out, k.v)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
