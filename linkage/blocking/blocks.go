package blocking

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

// Pair is a candidate pair: I in the first dataset, J in the second (for
// deduplication, both in the one dataset with I < J).
type Pair = bitvec.Pair

// Defaults of Config.
const (
	// DefaultMaxBlockPairs is the default cap on the pairs of one block.
	DefaultMaxBlockPairs = 1 << 16
	// DefaultMaxCandidates bounds the candidate pairs Candidates holds
	// (8 bytes each, so 512 MiB, plus one band's pairs while merging).
	DefaultMaxCandidates = 1 << 26
)

// ErrTooManyCandidates is returned (marked swd.ErrUsage) when the passes
// generate more candidate pairs than Config.MaxCandidates: the blocking is
// too loose for the data (use more bits per LSH band or stricter keys).
var ErrTooManyCandidates = errors.New("blocking: too many candidate pairs")

// Config lists the passes whose candidate pairs are unioned.
type Config struct {
	Passes []Pass
	// MaxBlockPairs skips blocks that would generate more pairs than this
	// (0 = DefaultMaxBlockPairs, < 0 = no cap). See the package comment.
	MaxBlockPairs int64
	// MaxCandidates makes Candidates fail with ErrTooManyCandidates rather
	// than hold more pairs than this (0 = DefaultMaxCandidates, < 0 = no
	// limit). Blocks does not hold pairs and ignores it.
	MaxCandidates int64
}

func (c Config) maxCandidates() int64 { return bound(c.MaxCandidates, DefaultMaxCandidates) }

func (c Config) maxPairs() int64 { return bound(c.MaxBlockPairs, DefaultMaxBlockPairs) }

// bound is a configured limit: 0 means the default, a negative value no
// bound.
func bound(v, def int64) int64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return math.MaxInt64
	}
	return v
}

// Block is the records of each side that share one key in one (sub-)pass:
// the unit of comparison work. For deduplication B is nil and the pairs are
// those of A with themselves.
type Block struct {
	Pass string
	Band int
	Key  uint64
	A, B []uint32 // record indices, ascending
}

// NumPairs is the number of pairs the block generates.
func (b Block) NumPairs() int64 {
	if b.B == nil {
		n := int64(len(b.A))
		return n * (n - 1) / 2
	}
	return int64(len(b.A)) * int64(len(b.B))
}

// AppendPacked appends the block's pairs, packed with Pair.Pack, to dst.
func (b Block) AppendPacked(dst []uint64) []uint64 {
	if b.B == nil {
		for x, i := range b.A {
			for _, j := range b.A[x+1:] {
				dst = append(dst, Pair{I: i, J: j}.Pack())
			}
		}
		return dst
	}
	for _, i := range b.A {
		for _, j := range b.B {
			dst = append(dst, Pair{I: i, J: j}.Pack())
		}
	}
	return dst
}

// PassStats counts one pass's blocks.
type PassStats struct {
	Name          string
	Blocks        int   // blocks delivered
	Pairs         int64 // pairs in delivered blocks (with repeats across bands)
	SkippedBlocks int   // blocks over MaxBlockPairs
	SkippedPairs  int64
}

// Stats describes a blocking run.
type Stats struct {
	Passes     []PassStats
	Candidates int64 // distinct candidate pairs (Candidates/CandidatesDedup only)
}

// Blocks streams the blocks of every pass between a and b (b == nil:
// deduplication of a) to yield, pass by pass and band by band, each band's
// blocks in key order. ctx is checked once per band; an error from yield
// stops the run and is returned.
func Blocks(ctx context.Context, a, b *encoding.Dataset, cfg Config, yield func(Block) error) (Stats, error) {
	var st Stats
	var bufA, bufB []entry
	for _, p := range cfg.Passes {
		ps := PassStats{Name: p.Name()}
		ka, err := bandKeysOf(p, a)
		if err != nil {
			return st, err
		}
		var kb bandKeys
		if b != nil {
			if kb, err = bandKeysOf(p, b); err != nil {
				return st, err
			}
		}
		for band := range ka.bands {
			if err := ctx.Err(); err != nil {
				return st, fmt.Errorf("blocking: %w", err)
			}
			bufA = sortedEntries(bufA, ka.at(band))
			var sb []entry
			if b != nil {
				bufB = sortedEntries(bufB, kb.at(band))
				sb = bufB
			}
			err := groups(bufA, sb, b == nil, func(key uint64, ga, gb []uint32) error {
				blk := Block{Pass: ps.Name, Band: band, Key: key, A: ga, B: gb}
				n := blk.NumPairs()
				if n == 0 {
					return nil
				}
				if n > cfg.maxPairs() {
					ps.SkippedBlocks++
					ps.SkippedPairs += n
					return nil
				}
				ps.Blocks++
				ps.Pairs += n
				return yield(blk)
			})
			if err != nil {
				return st, err
			}
		}
		st.Passes = append(st.Passes, ps)
	}
	return st, nil
}

// bandKeys gives a pass's keys one sub-pass (band) at a time, so that only
// one band's keys are held: 8 bytes a record instead of 8 × bands.
type bandKeys struct {
	bands int
	at    func(band int) subKeys
}

// bandKeysOf returns the keys of p on d band by band: computed on demand
// for LSH passes, all at once (one band) for the others.
func bandKeysOf(p Pass, d *encoding.Dataset) (bandKeys, error) {
	if l, ok := p.(LSH); ok {
		return l.bandKeys(d)
	}
	sub, err := p.keys(d)
	if err != nil {
		return bandKeys{}, err
	}
	return bandKeys{bands: len(sub), at: func(b int) subKeys { return sub[b] }}, nil
}

// entry is a record's key in one band.
type entry struct {
	key uint64
	idx uint32
}

// sortedEntries returns, in dst's memory, the valid entries of k sorted by
// key, then record index.
func sortedEntries(dst []entry, k subKeys) []entry {
	es := dst[:0]
	small := true // every key fits in 32 bits: sort packed integers
	for i, key := range k.keys {
		if k.valid == nil || k.valid[i] {
			es = append(es, entry{key, uint32(i)})
			small = small && key>>32 == 0
		}
	}
	if small {
		packed := make([]uint64, len(es))
		for x, e := range es {
			packed[x] = e.key<<32 | uint64(e.idx)
		}
		slices.Sort(packed)
		for x, v := range packed {
			es[x] = entry{v >> 32, uint32(v)}
		}
		return es
	}
	slices.SortFunc(es, func(x, y entry) int {
		switch {
		case x.key < y.key:
			return -1
		case x.key > y.key:
			return 1
		}
		return int(int64(x.idx) - int64(y.idx))
	})
	return es
}

// groups merge-joins two key-sorted entry lists and calls f for every key
// present on both sides (dedup: every key of a, with gb nil).
func groups(a, b []entry, dedup bool, f func(key uint64, ga, gb []uint32) error) error {
	var ga, gb []uint32
	x, y := 0, 0
	for x < len(a) {
		key := a[x].key
		ga = ga[:0]
		for ; x < len(a) && a[x].key == key; x++ {
			ga = append(ga, a[x].idx)
		}
		if dedup {
			if err := f(key, ga, nil); err != nil {
				return err
			}
			continue
		}
		for y < len(b) && b[y].key < key {
			y++
		}
		gb = gb[:0]
		for ; y < len(b) && b[y].key == key; y++ {
			gb = append(gb, b[y].idx)
		}
		if len(gb) > 0 {
			if err := f(key, ga, gb); err != nil {
				return err
			}
		}
	}
	return nil
}
