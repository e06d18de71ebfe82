package cluster

import (
	"cmp"
	"container/heap"
	"math"
	"slices"
)

// Node is one record of a connected component given to SolveComponent.
type Node struct {
	// Partner is the partner holding the record: two records of one
	// partner are one person only when the pair is a duplicate link (see
	// SolveConfig.DuplicateWeight).
	Partner int
	// Key orders the nodes: every tie is broken by it, so the solution
	// does not depend on the order of the nodes or pairs.
	Key RecordKey
}

// Pair is a scored pair of nodes of a component: X and Y index the nodes
// slice, Weight is the pair's log2 posterior odds of being one person
// (positive exactly when the posterior is above 0.5).
type Pair struct {
	X, Y   int
	Weight float64
}

// SolveConfig configures SolveComponent.
type SolveConfig struct {
	// DuplicateWeight is the weight of a duplicate link, a pair of records
	// of the same partner linked as one person (the log-odds of the link
	// threshold): a partner's file is assumed clean except for the
	// duplicates the model found. Two clusters holding records of the same
	// partner merge only across a duplicate link of that partner, so the
	// records of one partner in a person are always connected by
	// duplicate links (their other pairs weigh like any pair).
	DuplicateWeight float64
	// VetoWeight: pairs weighing less are a certain non-match and never
	// end up in one person, whatever the rest of the evidence. Use
	// math.Inf(-1) for none.
	VetoWeight float64
	// FloorWeight (< 0) bounds the weight a pair that is not vetoed
	// counts with: a pair's disagreement shows that one of the two records
	// is damaged as often as that they are different people, and the
	// other pairs of a damaged record disagree too. 0: no bound.
	FloorWeight float64
	// Weight, when set, scores pairs of nodes absent from the pairs given
	// to SolveComponent (ok false: unknown). It must be deterministic.
	Weight func(x, y int) (w float64, ok bool)
	// Unscored is the weight of a pair neither given nor scored by Weight
	// (0: no evidence either way).
	Unscored float64
	// MaxNodes bounds the components solved on all their pairs: larger
	// ones are solved on the given pairs alone (unknown pairs weigh
	// Unscored without asking Weight), so the cost stays near-linear in
	// their pairs. 0 means DefaultMaxNodes.
	MaxNodes int
	// MaxPasses bounds the passes of single-record moves after the
	// agglomeration (0 means DefaultMaxPasses).
	MaxPasses int
}

// Defaults of SolveConfig.
const (
	DefaultMaxNodes  = 400
	DefaultMaxPasses = 8
)

// minGain is the least improvement of the objective a merge or a move must
// bring: it keeps floating-point noise from cycling moves.
const minGain = 1e-9

// SolveComponent partitions the records of one connected component of the
// link graph into persons, using the evidence of every pair of records, not
// only the links that made the component. It maximises the total weight
// of the pairs placed together (correlation clustering on log-odds: two
// records belong together when the evidence for it outweighs the evidence
// against, counted over all their pairs) subject to the constraints of
// multi-source data: at most one record per partner per person, unless
// the partner's records are linked as duplicates, and no vetoed pair
// together.
//
// The optimisation is greedy and bounded: clusters start as single records
// and the two clusters whose total cross weight is largest and positive
// are merged until no merge gains (greedy additive edge contraction);
// then single records move to the cluster, or to a cluster of their own,
// that gains most, for at most MaxPasses passes. Cost: O(n² log n) for a
// component of n ≤ MaxNodes records (every pair is scored), O(p log p) in
// its p given pairs beyond.
//
// The result gives each node a label 0, 1, … numbered in the order of the
// smallest key of each person; it depends only on the nodes' keys and the
// weights, never on input order or global state, so components can be
// solved independently and in parallel.
func SolveComponent(nodes []Node, pairs []Pair, cfg SolveConfig) []int {
	n := len(nodes)
	if cfg.MaxNodes == 0 {
		cfg.MaxNodes = DefaultMaxNodes
	}
	if cfg.MaxPasses == 0 {
		cfg.MaxPasses = DefaultMaxPasses
	}
	s := newSolver(nodes, pairs, cfg)
	s.agglomerate()
	s.refine(cfg.MaxPasses)
	return s.labels(n)
}

// solver holds one component: nodes in key order, the weights of their
// pairs (sparse rows), and the current clusters.
type solver struct {
	nodes []Node
	order []int // node indices in key order
	rank  []int // rank of each node
	// w[x] maps neighbour y to the pair's weight (−Inf: never together).
	// Absent pairs weigh 0 (dense components hold every pair).
	w         []map[int]float64
	cluster   []int   // cluster of each node (the rank of its first member)
	members   [][]int // members of each cluster id (nil when absorbed)
	dupWeight float64 // a same-partner pair at least this heavy is a duplicate link
}

func newSolver(nodes []Node, pairs []Pair, cfg SolveConfig) *solver {
	n := len(nodes)
	s := &solver{nodes: nodes, order: make([]int, n), rank: make([]int, n), w: make([]map[int]float64, n)}
	for i := range s.order {
		s.order[i] = i
	}
	slices.SortFunc(s.order, func(x, y int) int {
		return cmp.Or(nodes[x].Key.Compare(nodes[y].Key), cmp.Compare(x, y))
	})
	for r, x := range s.order {
		s.rank[x] = r
		s.w[x] = map[int]float64{}
	}
	s.dupWeight = cfg.DuplicateWeight
	weigh := func(x, y int, w float64) float64 {
		if w < cfg.VetoWeight {
			return math.Inf(-1)
		}
		if cfg.FloorWeight < 0 && w < cfg.FloorWeight {
			return cfg.FloorWeight
		}
		return w
	}
	given := map[[2]int]float64{}
	for _, p := range pairs {
		if p.X == p.Y || p.X < 0 || p.Y < 0 || p.X >= n || p.Y >= n {
			continue
		}
		k := [2]int{min(p.X, p.Y), max(p.X, p.Y)}
		if old, ok := given[k]; !ok || p.Weight > old {
			given[k] = p.Weight
		}
	}
	set := func(x, y int, w float64) {
		s.w[x][y], s.w[y][x] = w, w
	}
	if n <= cfg.MaxNodes {
		for i := range n {
			for j := i + 1; j < n; j++ {
				w, ok := given[[2]int{i, j}]
				if !ok && cfg.Weight != nil {
					w, ok = cfg.Weight(i, j)
				}
				if !ok {
					w = cfg.Unscored
				} else if nodes[i].Partner == nodes[j].Partner {
					set(i, j, weigh(i, j, w)) // known, even at 0: a duplicate link?
					continue
				}
				if w = weigh(i, j, w); w != 0 {
					set(i, j, w)
				}
			}
		}
	} else {
		for k, w := range given {
			if w = weigh(k[0], k[1], w); w != 0 || nodes[k[0]].Partner == nodes[k[1]].Partner {
				set(k[0], k[1], w)
			}
		}
	}
	s.cluster = make([]int, n)
	s.members = make([][]int, n)
	for x := range n {
		c := s.rank[x]
		s.cluster[x] = c
		s.members[c] = []int{x}
	}
	return s
}

// weight is the weight of the pair (x, y); 0 when unknown.
func (s *solver) weight(x, y int) float64 {
	return s.w[x][y]
}

// cross is the total weight between the members of clusters a and b, or
// −Inf when they may not merge: a vetoed pair, or a partner with records in
// both and no duplicate link between them.
func (s *solver) cross(a, b int) float64 {
	return s.crossTo(s.members[a], s.members[b])
}

func (s *solver) crossTo(xs, ys []int) float64 {
	if len(xs) > len(ys) {
		xs, ys = ys, xs
	}
	total := 0.0
	var shared, linked map[int]bool // partners in both; those with a duplicate link across
	for _, x := range xs {
		for _, y := range ys {
			w, known := s.w[x][y]
			total += w
			if math.IsInf(total, -1) {
				return total
			}
			if p := s.nodes[x].Partner; p == s.nodes[y].Partner {
				if shared == nil {
					shared, linked = map[int]bool{}, map[int]bool{}
				}
				shared[p] = true
				if known && w >= s.dupWeight {
					linked[p] = true
				}
			}
		}
	}
	if len(shared) != len(linked) {
		return math.Inf(-1)
	}
	return total
}

// partnerMates reports whether x's cluster holds another record of x's
// partner.
func (s *solver) partnerMates(x int) bool {
	for _, y := range s.members[s.cluster[x]] {
		if y != x && s.nodes[y].Partner == s.nodes[x].Partner {
			return true
		}
	}
	return false
}

// candidate merge of clusters a < b with its gain.
type merge struct {
	a, b int
	gain float64
}

type mergeHeap []merge

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if h[i].gain != h[j].gain {
		return h[i].gain > h[j].gain
	}
	return h[i].a < h[j].a || h[i].a == h[j].a && h[i].b < h[j].b
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(merge)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// neighbours lists the clusters adjacent to cluster c by a positive or
// forbidden pair, in ascending order.
func (s *solver) neighbours(c int) []int {
	seen := map[int]bool{}
	for _, x := range s.members[c] {
		for y := range s.w[x] {
			if d := s.cluster[y]; d != c {
				seen[d] = true
			}
		}
	}
	out := make([]int, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// agglomerate merges clusters greedily by total cross weight. Heap entries
// go stale when a cluster changes; they are recomputed when popped.
func (s *solver) agglomerate() {
	h := &mergeHeap{}
	version := make([]int, len(s.members))
	type key struct{ a, b int }
	pushed := map[key][2]int{} // versions of a and b when pushed
	push := func(a, b int) {
		if a > b {
			a, b = b, a
		}
		g := s.cross(a, b)
		if g > minGain {
			heap.Push(h, merge{a, b, g})
			pushed[key{a, b}] = [2]int{version[a], version[b]}
		}
	}
	for _, x := range s.order {
		c := s.cluster[x]
		for _, d := range s.neighbours(c) {
			if c < d {
				push(c, d)
			}
		}
	}
	for h.Len() > 0 {
		m := heap.Pop(h).(merge)
		if s.members[m.a] == nil || s.members[m.b] == nil {
			continue
		}
		if v, ok := pushed[key{m.a, m.b}]; !ok || v != [2]int{version[m.a], version[m.b]} {
			continue // stale: a fresher entry exists (or none if it no longer gains)
		}
		// a < b: the merged cluster keeps the smaller id (its first
		// member's rank).
		for _, y := range s.members[m.b] {
			s.cluster[y] = m.a
		}
		s.members[m.a] = append(s.members[m.a], s.members[m.b]...)
		s.members[m.b] = nil
		version[m.a]++
		delete(pushed, key{m.a, m.b})
		for _, d := range s.neighbours(m.a) {
			push(m.a, d)
		}
	}
}

// refine moves single records between clusters while a move gains: to the
// adjacent cluster with the largest gain, or alone when the record's ties to
// its cluster are negative. Records are visited in key order; a record
// whose person holds another record of its partner stays (it may be what
// links its partner's duplicates), and a record moves into a person
// holding a record of its partner only across a duplicate link.
func (s *solver) refine(passes int) {
	for range passes {
		moved := false
		for _, x := range s.order {
			if s.partnerMates(x) {
				continue // it holds its partner's duplicates together
			}
			c := s.cluster[x]
			stay := 0.0 // weight of x to the rest of its cluster
			for _, y := range s.members[c] {
				if y != x {
					stay += s.weight(x, y)
				}
			}
			best, bestGain := -1, -stay // -1: a cluster of its own
			if len(s.members[c]) == 1 {
				bestGain = 0
			}
			to := map[int]bool{}
			for y := range s.w[x] {
				if d := s.cluster[y]; d != c {
					to[d] = true
				}
			}
			targets := make([]int, 0, len(to))
			for d := range to {
				targets = append(targets, d)
			}
			slices.Sort(targets)
			for _, d := range targets {
				g := s.crossTo([]int{x}, s.members[d])
				if g-stay > bestGain+minGain {
					best, bestGain = d, g-stay
				}
			}
			if bestGain <= minGain || best == -1 && len(s.members[c]) == 1 {
				continue
			}
			s.members[c] = slices.DeleteFunc(s.members[c], func(y int) bool { return y == x })
			if best == -1 {
				best = s.freeID(x)
			}
			s.members[best] = append(s.members[best], x)
			s.cluster[x] = best
			if len(s.members[c]) == 0 {
				s.members[c] = nil
			}
			moved = true
		}
		if !moved {
			return
		}
	}
}

// freeID returns an unused cluster id for x moving out on its own: its
// rank when free, else the first free id.
func (s *solver) freeID(x int) int {
	if s.members[s.rank[x]] == nil {
		return s.rank[x]
	}
	for id := range s.members {
		if s.members[id] == nil {
			return id
		}
	}
	panic("cluster: no free cluster id") // n ids for n nodes: cannot happen
}

// labels numbers the clusters by their smallest member's rank.
func (s *solver) labels(n int) []int {
	out := make([]int, n)
	label := map[int]int{}
	for _, x := range s.order {
		c := s.cluster[x]
		l, ok := label[c]
		if !ok {
			l = len(label)
			label[c] = l
		}
		out[x] = l
	}
	return out
}
