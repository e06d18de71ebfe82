package blocking

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
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
	// Workers is the number of goroutines BlocksMany computes and sorts the
	// datasets' keys of a band on, and runs the jobs' merge-joins of that
	// band on (0 or 1: one, the caller's). It changes no block, no order of
	// a job's blocks and no statistic; see BlocksMany.
	Workers int
}

func (c Config) workers() int { return max(c.Workers, 1) }

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
	ds, job := []*encoding.Dataset{a}, Job{0, 0}
	if b != nil {
		ds, job = append(ds, b), Job{0, 1}
	}
	st, err := BlocksMany(ctx, ds, []Job{job}, cfg, func(_ int, blk Block) error { return yield(blk) })
	return st[0], err
}

// Job is a pair of datasets to block, by index: A == B is the
// deduplication of one dataset.
type Job struct{ A, B int }

// BlocksMany is Blocks for several jobs over the datasets ds at once, band
// by band: each band's keys of a dataset are computed and sorted once for
// all the jobs it is part of (rather than once per job). yield receives the
// job's index with each block; each job's blocks come in the order Blocks
// gives them. It returns the stats of each job.
//
// With cfg.Workers > 1, the datasets' keys of a band are computed and
// sorted on that many goroutines, then the band's jobs are merge-joined on
// as many: yield is then called from several goroutines at once, but never
// concurrently for one job, and each job's blocks still come in order, so
// anything yield builds per job is the same as with one worker. When yield
// fails for several jobs of a band, the error of the lowest job is
// returned, as one worker would.
func BlocksMany(ctx context.Context, ds []*encoding.Dataset, jobs []Job, cfg Config, yield func(job int, b Block) error) ([]Stats, error) {
	st := make([]Stats, len(jobs))
	used := make([]bool, len(ds))
	for _, j := range jobs {
		used[j.A], used[j.B] = true, true
	}
	workers := cfg.workers()
	sorted := make([][]entry, len(ds))
	scratch := make([][2][]uint64, workers)
	dsOrder, jobOrder := largestFirst(ds, used, jobs)
	errs := make([]error, len(jobs))
	for _, p := range cfg.Passes {
		ps := make([]PassStats, len(jobs))
		for k := range ps {
			ps[k].Name = p.Name()
		}
		keys := make([]bandKeys, len(ds))
		bands := -1
		for d := range ds {
			if !used[d] {
				continue
			}
			var err error
			if keys[d], err = bandKeysOf(p, ds[d]); err != nil {
				return st, err
			}
			if bands >= 0 && keys[d].bands != bands {
				return st, fmt.Errorf("blocking: pass %s has %d bands on one dataset and %d on another", p.Name(), bands, keys[d].bands)
			}
			bands = keys[d].bands
		}
		for band := range max(bands, 0) {
			if err := ctx.Err(); err != nil {
				return st, fmt.Errorf("blocking: %w", err)
			}
			each(workers, dsOrder, func(w, d int) {
				sorted[d] = sortedEntries(sorted[d], keys[d].at(band), &scratch[w])
			})
			each(workers, jobOrder, func(_, k int) {
				j := jobs[k]
				var sb []entry
				if j.A != j.B {
					sb = sorted[j.B]
				}
				errs[k] = groups(sorted[j.A], sb, j.A == j.B, func(key uint64, ga, gb []uint32) error {
					blk := Block{Pass: ps[k].Name, Band: band, Key: key, A: ga, B: gb}
					n := blk.NumPairs()
					if n == 0 {
						return nil
					}
					if n > cfg.maxPairs() {
						ps[k].SkippedBlocks++
						ps[k].SkippedPairs += n
						return nil
					}
					ps[k].Blocks++
					ps[k].Pairs += n
					return yield(k, blk)
				})
			})
			for _, err := range errs {
				if err != nil {
					return st, err
				}
			}
		}
		for k := range st {
			st[k].Passes = append(st[k].Passes, ps[k])
		}
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
// key, then record index. scratch holds buffers reused between calls.
func sortedEntries(dst []entry, k subKeys, scratch *[2][]uint64) []entry {
	es := dst[:0]
	var or uint64 // every key's bits: all fit in 32 bits, sort packed integers
	for i, key := range k.keys {
		if k.valid == nil || k.valid[i] {
			es = append(es, entry{key, uint32(i)})
			or |= key
		}
	}
	if or>>32 == 0 {
		packed := slices.Grow(scratch[0][:0], len(es))[:len(es)]
		for x, e := range es {
			packed[x] = e.key<<32 | uint64(e.idx)
		}
		tmp := slices.Grow(scratch[1][:0], len(es))[:len(es)]
		packed, tmp = radixSortHigh(packed, tmp, bits.Len64(or))
		for x, v := range packed {
			es[x] = entry{v >> 32, uint32(v)}
		}
		scratch[0], scratch[1] = packed, tmp
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

// radixDigit is the bits radixSortHigh sorts in one pass: 2,048 counters,
// which stay in L1.
const radixDigit = 11

// radixSortHigh sorts vs, whose low 32 bits are increasing, by their high
// keyBits bits above those (a stable least-significant-digit radix sort,
// so the result is sorted as whole integers), using tmp (as long as vs) as
// the other buffer. It returns the sorted slice and the other buffer.
func radixSortHigh(vs, tmp []uint64, keyBits int) (sorted, other []uint64) {
	var count [1 << radixDigit]int
	for shift := 32; shift < 32+keyBits; shift += radixDigit {
		clear(count[:])
		for _, v := range vs {
			count[v>>shift&(1<<radixDigit-1)]++
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for _, v := range vs {
			d := v >> shift & (1<<radixDigit - 1)
			tmp[count[d]] = v
			count[d]++
		}
		vs, tmp = tmp, vs
	}
	return vs, tmp
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
