package cluster

import (
	"cmp"
	"slices"

	"github.com/welfare-district/swd/internal/base"
)

// Partner is one input dataset: its name, its record ids, and optionally
// the partner's own household id of each record ("" = none) and a
// co-residence key of each record.
type Partner struct {
	Name       string
	RecordIDs  []string
	Households []string // nil, or one entry per record
	// CoResidence is nil, or one key per record (0: none): a value the
	// records of one household share and those of different households
	// almost never do. Two households with no partner in common that are
	// the only ones to hold a key are one household (see Build).
	CoResidence []uint64
	// CoResidenceAt is nil, or one place per record (0: none), paired
	// with CoResidence: a household then holds every combination of a
	// CoResidence key of one of its records with a place of one of its
	// records (swd link: a phone filter and an address filter, so that
	// the landline on one member's record and the address on another's
	// still make the key). Nil: each record's CoResidence key alone.
	CoResidenceAt []uint64
}

// Ref names record Row of partner Partner (an index into the partners
// slice given to Build).
type Ref struct {
	Partner int
	Row     int
}

// Edge is a scored candidate link between two records.
type Edge struct {
	A, B Ref
	// Weight orders links: conflicts are resolved in favour of the higher
	// weight, and the optimal one-to-one assignment maximises the sum of
	// weights. Pass the log2 posterior odds (match weight plus prior
	// weight), which is positive exactly when Probability > 0.5.
	Weight float64
	// Probability is the posterior match probability; links below the
	// threshold are dropped.
	Probability float64
}

// index numbers all records globally (partner by partner) and ranks them by
// (partner name, record id), the order every tie is broken by.
type index struct {
	partners []Partner
	offset   []int // first global id of each partner
	partner  []int // partner of each global id
	rank     []int // position of each global id in key order
	byRank   []int // global id at each rank
}

func newIndex(partners []Partner) (*index, error) {
	ix := &index{partners: partners}
	seen := map[string]bool{}
	n := 0
	for p, pt := range partners {
		if seen[pt.Name] {
			return nil, base.Invalidf("cluster: partner %q appears twice", pt.Name)
		}
		seen[pt.Name] = true
		if pt.Households != nil && len(pt.Households) != len(pt.RecordIDs) {
			return nil, base.Invalidf("cluster: partner %q: %d household ids for %d records", pt.Name, len(pt.Households), len(pt.RecordIDs))
		}
		if pt.CoResidence != nil && len(pt.CoResidence) != len(pt.RecordIDs) {
			return nil, base.Invalidf("cluster: partner %q: %d co-residence keys for %d records", pt.Name, len(pt.CoResidence), len(pt.RecordIDs))
		}
		if pt.CoResidenceAt != nil && len(pt.CoResidenceAt) != len(pt.RecordIDs) {
			return nil, base.Invalidf("cluster: partner %q: %d co-residence places for %d records", pt.Name, len(pt.CoResidenceAt), len(pt.RecordIDs))
		}
		ix.offset = append(ix.offset, n)
		for range pt.RecordIDs {
			ix.partner = append(ix.partner, p)
		}
		n += len(pt.RecordIDs)
	}
	ix.byRank = make([]int, n)
	for i := range ix.byRank {
		ix.byRank[i] = i
	}
	slices.SortFunc(ix.byRank, func(x, y int) int {
		return ix.key(x).Compare(ix.key(y))
	})
	ix.rank = make([]int, n)
	for r, id := range ix.byRank {
		ix.rank[id] = r
		if r > 0 && ix.key(ix.byRank[r-1]) == ix.key(id) {
			// The record id itself is not printed: it may be personal.
			return nil, base.Invalidf("cluster: partner %q has a duplicate record id (row %d)", ix.key(id).Partner, ix.row(id)+1)
		}
	}
	return ix, nil
}

func (ix *index) len() int { return len(ix.partner) }

func (ix *index) row(id int) int { return id - ix.offset[ix.partner[id]] }

func (ix *index) ref(id int) Ref { return Ref{Partner: ix.partner[id], Row: ix.row(id)} }

func (ix *index) key(id int) RecordKey {
	p := ix.partner[id]
	return RecordKey{ix.partners[p].Name, ix.partners[p].RecordIDs[id-ix.offset[p]]}
}

func (ix *index) id(r Ref) (int, error) {
	if r.Partner < 0 || r.Partner >= len(ix.partners) || r.Row < 0 || r.Row >= len(ix.partners[r.Partner].RecordIDs) {
		return 0, base.Usagef("cluster: edge refers to record %d of partner %d, which does not exist", r.Row, r.Partner)
	}
	return ix.offset[r.Partner] + r.Row, nil
}

// gedge is an edge on global ids with lo ranked before hi.
type gedge struct {
	lo, hi int
	weight float64
	prob   float64
}

// edges converts, thresholds, canonicalises and de-duplicates the input
// edges (keeping the higher weight of a pair given twice) and sorts them by
// weight descending, ties by the ranks of their ends.
func (ix *index) edges(in []Edge, threshold float64) ([]gedge, error) {
	out := make([]gedge, 0, len(in))
	for _, e := range in {
		if e.Probability < threshold {
			continue
		}
		a, err := ix.id(e.A)
		if err != nil {
			return nil, err
		}
		b, err := ix.id(e.B)
		if err != nil {
			return nil, err
		}
		if a == b {
			continue
		}
		if ix.rank[b] < ix.rank[a] {
			a, b = b, a
		}
		out = append(out, gedge{a, b, e.Weight, e.Probability})
	}
	ix.sortEdges(out)
	// Keep the first (heaviest) copy of each pair.
	seen := make(map[[2]int]bool, len(out))
	return slices.DeleteFunc(out, func(e gedge) bool {
		k := [2]int{e.lo, e.hi}
		dup := seen[k]
		seen[k] = true
		return dup
	}), nil
}

func (ix *index) sortEdges(es []gedge) {
	slices.SortFunc(es, func(x, y gedge) int {
		return cmp.Or(
			cmp.Compare(y.weight, x.weight),
			cmp.Compare(y.prob, x.prob),
			cmp.Compare(ix.rank[x.lo], ix.rank[y.lo]),
			cmp.Compare(ix.rank[x.hi], ix.rank[y.hi]),
		)
	})
}
