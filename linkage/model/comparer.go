package model

import (
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

// Comparer computes the agreement pattern of pairs (i of A, j of B) of two
// encoded datasets. For de-duplication pass the same dataset twice. It only
// reads the datasets and is safe for concurrent use.
type Comparer struct {
	cmps  []Comparison
	place []uint64
	a, b  []side
	dedup bool // A and B are the same dataset
}

// side is one dataset's view of one compared field.
type side struct {
	col    *encoding.FieldColumn
	counts []uint32 // popcount of each filter; 0 is treated as missing
	salted []bool   // presence of the salt of each record (Comparison.SaltedBy); nil when unsalted
}

// NewComparer binds comparisons to two datasets, which must both hold every
// compared field with the same filter size.
func NewComparer(cmps []Comparison, a, b *encoding.Dataset) (*Comparer, error) {
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
		sa := newSide(fa, a.Field(cmp.SaltedBy))
		c.a = append(c.a, sa)
		if a == b {
			c.b = append(c.b, sa)
		} else {
			c.b = append(c.b, newSide(fb, b.Field(cmp.SaltedBy)))
		}
	}
	return c, nil
}

// newSide describes a field column, with the column of its salt (nil when
// unsalted or when the salt is not in the dataset).
func newSide(col, salt *encoding.FieldColumn) side {
	s := side{col: col, counts: bitvec.Counts(nil, col.Filters)}
	if salt != nil {
		counts := bitvec.Counts(nil, salt.Filters)
		s.salted = make([]bool, len(counts))
		for i, n := range counts {
			s.salted[i] = salt.Present[i] && n > 0
		}
	}
	return s
}

func (s side) present(i int) bool { return s.col.Present[i] && s.counts[i] > 0 }

// Comparisons returns the comparisons, in key order.
func (c *Comparer) Comparisons() []Comparison { return c.cmps }

// Level is the comparison level of field f for the pair (i, j).
func (c *Comparer) Level(f, i, j int) int {
	sa, sb := c.a[f], c.b[f]
	if !sa.present(i) || !sb.present(j) || sa.salted != nil && sb.salted != nil && sa.salted[i] != sb.salted[j] {
		return 0
	}
	return filterLevel(c.cmps[f], sa.col.Filters.At(i), sb.col.Filters.At(j), int(sa.counts[i]), int(sb.counts[j]))
}

// Key is the agreement pattern key of the pair (i, j).
func (c *Comparer) Key(i, j int) uint64 {
	var key uint64
	for f := range c.cmps {
		key += uint64(c.Level(f, i, j)) * c.place[f]
	}
	return key
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
