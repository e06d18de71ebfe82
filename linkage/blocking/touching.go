package blocking

import (
	"context"
	"fmt"

	"github.com/welfare-district/swd/linkage/encoding"
)

// BlocksTouching is BlocksMany restricted to the blocks that hold at least
// one marked record (marked[d][i]: record i of dataset d; a nil marked[d]
// marks none of d): the blocks an incremental linkage needs to pair its new
// and changed records with every other record. Each block delivered is
// whole (every record of each side sharing its key, ascending, as
// BlocksMany gives it) and is skipped under the same cap, counted on the
// whole datasets, so the pairs with a marked record of the blocks it
// delivers are exactly those of BlocksMany's blocks.
//
// Rather than sort every record's key in every band, it looks up each
// record's key among the marked records' keys: its cost is computing the
// keys, about a tenth of BlocksMany's. The blocks of a band come in no
// particular order (deterministic for the same input); A and B are valid
// only during yield. ctx is checked once per band.
func BlocksTouching(ctx context.Context, ds []*encoding.Dataset, jobs []Job, cfg Config, marked [][]bool, yield func(job int, b Block) error) error {
	used := make([]bool, len(ds))
	for _, j := range jobs {
		used[j.A], used[j.B] = true, true
	}
	t := &touching{marked: marked, idx: map[uint64]uint32{}}
	for _, p := range cfg.Passes {
		keys := make([]bandKeys, len(ds))
		bands := -1
		for d := range ds {
			if !used[d] || !t.any(d) {
				continue
			}
			var err error
			if keys[d], err = bandKeysOf(p, ds[d]); err != nil {
				return err
			}
			if bands >= 0 && keys[d].bands != bands {
				return fmt.Errorf("blocking: pass %s has %d bands on one dataset and %d on another", p.Name(), bands, keys[d].bands)
			}
			bands = keys[d].bands
		}
		if bands < 0 {
			continue // no marked record in any dataset
		}
		for d := range ds {
			if used[d] && keys[d].at == nil {
				var err error
				if keys[d], err = bandKeysOf(p, ds[d]); err != nil {
					return err
				}
			}
		}
		for band := range bands {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("blocking: %w", err)
			}
			sub := make([]subKeys, len(ds))
			for d := range ds {
				if used[d] {
					sub[d] = keys[d].at(band)
				}
			}
			if err := t.band(sub, jobs, cfg.maxPairs(), func(k int, key uint64, ga, gb []uint32) error {
				return yield(k, Block{Pass: p.Name(), Band: band, Key: key, A: ga, B: gb})
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// touching holds BlocksTouching's buffers between bands.
type touching struct {
	marked  [][]bool
	idx     map[uint64]uint32 // key of a marked record → its group
	keys    []uint64          // key of each group
	filter  [touchFilterWords]uint64
	members []member // records whose key is a group's, by dataset then row
	sorted  []member // members by group (counting sort, stable)
	starts  []int    // sorted[starts[g]:starts[g+1]] are group g's
}

// member is a record whose key is that of a marked record.
type member struct {
	group uint32
	d     uint32
	row   uint32
}

// touchFilterWords sizes the bit filter on the marked keys that spares most
// records a map lookup: 2^16 bits, which stay in L1.
const touchFilterWords = 1 << 10

func touchBit(key uint64) uint64 { return key * 0x9e3779b97f4a7c15 >> 48 }

func (t *touching) any(d int) bool {
	if d >= len(t.marked) {
		return false
	}
	for _, m := range t.marked[d] {
		if m {
			return true
		}
	}
	return false
}

func (t *touching) isMarked(d int, row uint32) bool {
	return d < len(t.marked) && t.marked[d] != nil && t.marked[d][row]
}

// band finds the groups of one band (the records of every dataset sharing
// the key of a marked record) and calls f with every job's block of each
// group that holds a marked record and is within maxPairs.
func (t *touching) band(sub []subKeys, jobs []Job, maxPairs int64, f func(job int, key uint64, ga, gb []uint32) error) error {
	clear(t.idx)
	clear(t.filter[:])
	t.keys = t.keys[:0]
	for d, k := range sub {
		if d >= len(t.marked) || t.marked[d] == nil || k.keys == nil {
			continue // nothing marked, or in no job
		}
		for i, m := range t.marked[d] {
			if !m || k.valid != nil && !k.valid[i] {
				continue
			}
			key := k.keys[i]
			if _, ok := t.idx[key]; !ok {
				t.idx[key] = uint32(len(t.keys))
				t.keys = append(t.keys, key)
				b := touchBit(key)
				t.filter[b>>6] |= 1 << (b & 63)
			}
		}
	}
	if len(t.keys) == 0 {
		return nil
	}
	t.members = t.members[:0]
	for d, k := range sub {
		for i, key := range k.keys {
			b := touchBit(key)
			if t.filter[b>>6]>>(b&63)&1 == 0 || k.valid != nil && !k.valid[i] {
				continue
			}
			if g, ok := t.idx[key]; ok {
				t.members = append(t.members, member{g, uint32(d), uint32(i)})
			}
		}
	}
	// Group the members, keeping their (dataset, row) order.
	n := len(t.keys)
	t.starts = append(t.starts[:0], make([]int, n+1)...)
	for _, m := range t.members {
		t.starts[m.group+1]++
	}
	for g := range n {
		t.starts[g+1] += t.starts[g]
	}
	t.sorted = append(t.sorted[:0], t.members...)
	next := append([]int(nil), t.starts[:n]...)
	for _, m := range t.members {
		t.sorted[next[m.group]] = m
		next[m.group]++
	}
	var rows [2][]uint32
	for g := range n {
		ms := t.sorted[t.starts[g]:t.starts[g+1]]
		for k, j := range jobs {
			var ga, gb []uint32
			var hit bool
			rows[0], ga, hit = t.side(rows[0], ms, j.A)
			if j.A == j.B {
				if len(ga) < 2 || !hit {
					continue
				}
			} else {
				var hitB bool
				rows[1], gb, hitB = t.side(rows[1], ms, j.B)
				if len(ga) == 0 || len(gb) == 0 || !hit && !hitB {
					continue
				}
			}
			if (Block{A: ga, B: gb}).NumPairs() > maxPairs {
				continue
			}
			if err := f(k, t.keys[g], ga, gb); err != nil {
				return err
			}
		}
	}
	return nil
}

// side returns, in buf's memory, the rows of dataset d among a group's
// members and whether any is marked.
func (t *touching) side(buf []uint32, ms []member, d int) ([]uint32, []uint32, bool) {
	buf = buf[:0]
	hit := false
	for _, m := range ms {
		if int(m.d) == d {
			buf = append(buf, m.row)
			hit = hit || t.isMarked(d, m.row)
		}
	}
	return buf, buf, hit
}
