package model

import (
	"maps"
	"math/bits"
	"slices"

	"github.com/welfare-district/swd/internal/base"
)

// A pattern key packs the levels of all fields in mixed radix: field f
// contributes level_f · Π_{g<f} Levels(g). Key 0 is "every field missing".

// radices returns the place value of each field in a key.
func radices(cmps []Comparison) ([]uint64, error) {
	r := make([]uint64, len(cmps))
	place := uint64(1)
	for f, c := range cmps {
		r[f] = place
		hi, lo := bits.Mul64(place, uint64(c.Levels()))
		if hi != 0 {
			return nil, base.Usagef("model: %d comparisons have too many level combinations for a 64-bit pattern key", len(cmps))
		}
		place = lo
	}
	return r, nil
}

// EncodePattern packs levels (one per comparison) into a key.
func EncodePattern(cmps []Comparison, levels []int) uint64 {
	var key, place uint64 = 0, 1
	for f, c := range cmps {
		key += uint64(levels[f]) * place
		place *= uint64(c.Levels())
	}
	return key
}

// DecodePattern unpacks key into dst (resized to len(cmps)) and returns it.
func DecodePattern(cmps []Comparison, key uint64, dst []int) []int {
	dst = slices.Grow(dst[:0], len(cmps))[:len(cmps)]
	for f, c := range cmps {
		n := uint64(c.Levels())
		dst[f] = int(key % n)
		key /= n
	}
	return dst
}

// PatternCounts counts candidate pairs by agreement pattern key. Counts of
// disjoint sets of pairs add up (Merge), so partitions of the comparison
// work can be counted separately — on several goroutines or Beam workers —
// and combined before EM.
type PatternCounts map[uint64]int64

// Add counts n more pairs with pattern key.
func (pc PatternCounts) Add(key uint64, n int64) { pc[key] += n }

// Merge adds the counts of o into pc.
func (pc PatternCounts) Merge(o PatternCounts) {
	for k, n := range o {
		pc[k] += n
	}
}

// Total is the number of pairs counted.
func (pc PatternCounts) Total() int64 {
	var t int64
	for _, n := range pc {
		t += n
	}
	return t
}

// Keys returns the pattern keys in ascending order.
func (pc PatternCounts) Keys() []uint64 { return slices.Sorted(maps.Keys(pc)) }
