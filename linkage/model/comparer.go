package model

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"sync"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

// Comparer computes the agreement pattern of pairs (i of A, j of B) of two
// encoded datasets. For de-duplication pass the same dataset twice. It only
// reads the datasets and is safe for concurrent use.
//
// What a comparison needs of a record besides its filters (whether the
// value is present, its popcount, whether its salt is present) is held
// record-major, all fields of a record side by side (meta): the pairs of a
// job visit B's records in no useful order, and reading one small row per
// record instead of two or three arrays per field saves most of the cache
// misses of a comparison.
type Comparer struct {
	cmps  []Comparison
	place []uint64
	a, b  []side
	ma    []uint32 // meta of A: ma[i*len(cmps)+f] (see metaOf)
	mb    []uint32 // meta of B (the same slice for de-duplication)
	both  []bool   // both sides of comparison f carry its salt
	swaps [][2]int // comparisons whose fields may be swapped (Comparison.SwapWith)
	dedup bool     // A and B are the same dataset
}

// Meta of a record's field: the popcount of its filter (0: missing, or not
// present), and saltBit when the field's salt is present.
const (
	saltBit   = 1 << 31
	countMask = saltBit - 1
)

// side is one dataset's view of one compared field.
type side struct {
	col    *encoding.FieldColumn
	meta   []uint32 // the dataset's record-major meta (Comparer.ma or mb)
	nf, f  int      // fields of a meta row; this field's column
	salted bool     // the field's salt is in the dataset (Comparison.SaltedBy)
}

// NewComparer binds comparisons to two datasets, which must both hold every
// compared field with the same filter size.
func NewComparer(cmps []Comparison, a, b *encoding.Dataset) (*Comparer, error) {
	return NewComparerShared(cmps, a, b, nil)
}

// SideCache shares what comparers prepare of a dataset (the record-major
// meta of the compared fields, 4 bytes a field and record) between the
// comparers and scorers of every pair of datasets it is part of, instead of
// each holding its own copy. It is safe for concurrent use; nil shares
// nothing.
type SideCache struct {
	mu      sync.Mutex
	entries map[*encoding.Dataset][]cachedSides
}

// cachedSides is a dataset's prepared sides for one list of fields.
type cachedSides struct {
	fields []string // Field and SaltedBy of each comparison
	sides  []side
	meta   []uint32
	salted []bool
}

// sides returns the cached sides of d for cmps, preparing them once.
func (sc *SideCache) sides(cmps []Comparison, d *encoding.Dataset) ([]side, []uint32, []bool) {
	if sc == nil {
		return sides(cmps, d)
	}
	fields := make([]string, 0, 2*len(cmps))
	for _, c := range cmps {
		fields = append(fields, c.Field, c.SaltedBy)
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for _, e := range sc.entries[d] {
		if slices.Equal(e.fields, fields) {
			return e.sides, e.meta, e.salted
		}
	}
	s, m, salted := sides(cmps, d)
	if sc.entries == nil {
		sc.entries = map[*encoding.Dataset][]cachedSides{}
	}
	sc.entries[d] = append(sc.entries[d], cachedSides{fields, s, m, salted})
	return s, m, salted
}

// NewComparerShared is NewComparer with the datasets' sides taken from (and
// kept in) cache.
func NewComparerShared(cmps []Comparison, a, b *encoding.Dataset, cache *SideCache) (*Comparer, error) {
	if err := validateComparisons(cmps); err != nil {
		return nil, err
	}
	place, _ := radices(cmps)
	c := &Comparer{cmps: slices.Clone(cmps), place: place, dedup: a == b}
	for _, cmp := range cmps {
		fa, fb := a.Field(cmp.Field), b.Field(cmp.Field)
		if fa == nil || fb == nil {
			return nil, base.Invalidf("model: field %q is not in both encoded datasets", cmp.Field)
		}
		if fa.Filters.Words != fb.Filters.Words {
			return nil, base.Invalidf("model: field %q has filters of different sizes in the two datasets", cmp.Field)
		}
	}
	c.swaps, _ = swapPairs(cmps) // validated above
	for _, sw := range c.swaps {
		f, g := cmps[sw[0]].Field, cmps[sw[1]].Field
		if a.Field(f).Filters.Words != b.Field(g).Filters.Words || a.Field(g).Filters.Words != b.Field(f).Filters.Words {
			return nil, base.Invalidf("model: fields %q and %q swap but have filters of different sizes", f, g)
		}
	}
	var saltedA, saltedB []bool
	c.a, c.ma, saltedA = cache.sides(cmps, a)
	c.b, c.mb, saltedB = c.a, c.ma, saltedA
	if a != b {
		c.b, c.mb, saltedB = cache.sides(cmps, b)
	}
	c.both = make([]bool, len(cmps))
	for f := range cmps {
		c.both[f] = saltedA[f] && saltedB[f]
	}
	return c, nil
}

// sides returns the sides of the compared fields of d, their record-major
// meta, and which fields' salts d holds.
func sides(cmps []Comparison, d *encoding.Dataset) ([]side, []uint32, []bool) {
	nf, n := len(cmps), d.Len()
	meta := make([]uint32, n*nf)
	out := make([]side, nf)
	salted := make([]bool, nf)
	var counts []uint32
	for f, cmp := range cmps {
		col := d.Field(cmp.Field)
		out[f] = side{col: col, meta: meta, nf: nf, f: f}
		counts = bitvec.Counts(counts[:0], col.Filters)
		for i, k := range counts {
			if col.Present[i] {
				meta[i*nf+f] = k
			}
		}
		if salt := d.Field(cmp.SaltedBy); salt != nil {
			out[f].salted, salted[f] = true, true
			counts = bitvec.Counts(counts[:0], salt.Filters)
			for i, k := range counts {
				if salt.Present[i] && k > 0 {
					meta[i*nf+f] |= saltBit
				}
			}
		}
	}
	return out, meta, salted
}

func (s side) present(i int) bool { return s.meta[i*s.nf+s.f]&countMask != 0 }

// Comparisons returns the comparisons, in key order.
func (c *Comparer) Comparisons() []Comparison { return c.cmps }

// Level is the comparison level of field f for the pair (i, j).
func (c *Comparer) Level(f, i, j int) int {
	nf := len(c.cmps)
	return c.level(f, c.ma[i*nf+f], c.mb[j*nf+f], i, j)
}

// level is Level given the meta x of i and y of j.
func (c *Comparer) level(f int, x, y uint32, i, j int) int {
	ca, cb := x&countMask, y&countMask
	if ca == 0 || cb == 0 || c.both[f] && (x^y)&saltBit != 0 {
		return 0
	}
	return filterLevel(c.cmps[f], c.a[f].col.Filters.At(i), c.b[f].col.Filters.At(j), int(ca), int(cb))
}

// Key is the agreement pattern key of the pair (i, j).
func (c *Comparer) Key(i, j int) uint64 {
	nf := len(c.cmps)
	ra, rb := c.ma[i*nf:i*nf+nf], c.mb[j*nf:j*nf+nf]
	var key uint64
	for f := range nf {
		key += uint64(c.level(f, ra[f], rb[f], i, j)) * c.place[f]
	}
	return c.swapped(key, ra, rb, i, j)
}

// swapped returns key with the crossed levels of each swap (see swapKey)
// for the pair (i, j) whose meta rows are ra and rb.
func (c *Comparer) swapped(key uint64, ra, rb []uint32, i, j int) uint64 {
	for _, sw := range c.swaps {
		f, g := sw[0], sw[1]
		lf, lg, try := swapCandidate(key, c.cmps, c.place, f, g)
		if !try {
			continue
		}
		xf := filterLevel(c.cmps[f], c.a[f].col.Filters.At(i), c.b[g].col.Filters.At(j), int(ra[f]&countMask), int(rb[g]&countMask))
		xg := filterLevel(c.cmps[g], c.a[g].col.Filters.At(i), c.b[f].col.Filters.At(j), int(ra[g]&countMask), int(rb[f]&countMask))
		key = swapKey(key, c.place, f, g, lf, lg, xf, xg)
	}
	return key
}

// swapCandidate returns the levels of comparisons f and g (a swap,
// Comparison.SwapWith) in key, and whether their crossed levels should be
// computed: only when both fields are present on both sides (and
// comparable: level > 0) and neither straight level is above its lowest
// Dice level, as when the two values were swapped. A pair agreeing on
// either field as it stands is compared as it stands, and most pairs cost
// nothing more.
func swapCandidate(key uint64, cmps []Comparison, place []uint64, f, g int) (lf, lg int, try bool) {
	lf = int(key / place[f] % uint64(cmps[f].Levels()))
	lg = int(key / place[g] % uint64(cmps[g].Levels()))
	return lf, lg, lf > 0 && lg > 0 && lf <= 2 && lg <= 2
}

// swapKey returns key with the straight levels lf, lg of comparisons f and
// g replaced by the crossed ones xf (f of the first record against g of
// the second) and xg (g of the first against f of the second) when those
// sum higher.
func swapKey(key uint64, place []uint64, f, g, lf, lg, xf, xg int) uint64 {
	if xf == 0 || xg == 0 || xf+xg <= lf+lg {
		return key
	}
	return key - uint64(lf)*place[f] - uint64(lg)*place[g] + uint64(xf)*place[f] + uint64(xg)*place[g]
}

// Count adds the patterns of pairs to a new PatternCounts. ctx is checked
// every 4096 pairs.
func (c *Comparer) Count(ctx context.Context, pairs iter.Seq2[int, int]) (PatternCounts, error) {
	pc := PatternCounts{}
	n := 0
	for i, j := range pairs {
		if n++; n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("model: counting patterns: %w", err)
			}
		}
		pc[c.Key(i, j)]++
	}
	return pc, nil
}
