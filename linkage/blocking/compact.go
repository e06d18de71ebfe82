package blocking

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/encoding"
)

// CompactChunk is the number of pairs in one chunk of a CompactPairs: the
// unit that can be decoded on its own (and the chunk of linkage's workers).
const CompactChunk = 1 << 14

// CompactPairs is a sorted, duplicate-free list of candidate pairs held
// compactly: each pair packed with Pair.Pack and stored as the uvarint of
// its difference to the previous one (typically 2–4 bytes a pair instead
// of 8). The list is cut into chunks of CompactChunk pairs, each starting
// from zero, so that workers decode chunks independently. A list may be
// spilled to a file (Spill) and is then read back chunk by chunk.
//
// Pairs are appended in ascending order; the zero value is an empty list.
type CompactPairs struct {
	data   []byte
	starts []int64 // offset of each chunk in data (or in the spill file)
	n      int
	last   uint64
	size   int64    // bytes written (len(data) until spilled)
	file   *os.File // spill file, nil while in memory
}

// Append adds p, which must sort after every pair already appended.
func (c *CompactPairs) Append(p Pair) {
	v := p.Pack()
	if c.n%CompactChunk == 0 {
		c.starts = append(c.starts, int64(len(c.data)))
		c.last = 0
	}
	c.data = binary.AppendUvarint(c.data, v-c.last)
	c.last = v
	c.n++
	c.size = int64(len(c.data))
}

// AppendPacked adds the packed pairs ps (see Append).
func (c *CompactPairs) AppendPacked(ps []uint64) {
	for _, v := range ps {
		if c.n%CompactChunk == 0 {
			c.starts = append(c.starts, int64(len(c.data)))
			c.last = 0
		}
		c.data = binary.AppendUvarint(c.data, v-c.last)
		c.last = v
		c.n++
	}
	c.size = int64(len(c.data))
}

// Len is the number of pairs.
func (c *CompactPairs) Len() int { return c.n }

// Bytes is the size of the encoded pairs, in memory or spilled.
func (c *CompactPairs) Bytes() int64 { return c.size + 8*int64(len(c.starts)) }

// InMemory is the number of bytes held in memory.
func (c *CompactPairs) InMemory() int64 { return int64(cap(c.data)) + 8*int64(cap(c.starts)) }

// Chunks is the number of chunks.
func (c *CompactPairs) Chunks() int { return len(c.starts) }

// Chunk appends the pairs of chunk k to dst[:0] and returns it. It is safe
// for concurrent use once appending is over.
func (c *CompactPairs) Chunk(k int, dst []Pair) ([]Pair, error) {
	dst = dst[:0]
	lo := c.starts[k]
	hi := c.size
	if k+1 < len(c.starts) {
		hi = c.starts[k+1]
	}
	count := CompactChunk
	if k == len(c.starts)-1 {
		count = c.n - k*CompactChunk
	}
	var buf []byte
	if c.file == nil {
		buf = c.data[lo:hi]
	} else {
		buf = make([]byte, hi-lo)
		if _, err := c.file.ReadAt(buf, lo); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("blocking: reading spilled candidates: %w", err)
		}
	}
	var v uint64
	for range count {
		d, w := binary.Uvarint(buf)
		if w <= 0 {
			return nil, errors.New("blocking: corrupt compact pair list")
		}
		buf = buf[w:]
		v += d
		dst = append(dst, Pair{I: uint32(v >> 32), J: uint32(v)})
	}
	return dst, nil
}

// Contains reports, for each of the sorted packed pairs qs (Pair.Pack),
// whether it is in the list. It reads the list once, in order, decoding
// only the chunks that may hold a query.
func (c *CompactPairs) Contains(qs []uint64) ([]bool, error) {
	out := make([]bool, len(qs))
	var buf []Pair
	q := 0
	for k := 0; k < len(c.starts) && q < len(qs); k++ {
		last := k+1 == len(c.starts)
		var next uint64 // the first pair of chunk k+1
		if !last {
			var err error
			if next, err = c.first(k + 1); err != nil {
				return nil, err
			}
			if qs[q] >= next {
				continue // no query left is in chunk k
			}
		}
		var err error
		if buf, err = c.Chunk(k, buf); err != nil {
			return nil, err
		}
		x := 0
		for ; q < len(qs) && (last || qs[q] < next); q++ {
			for x < len(buf) && buf[x].Pack() < qs[q] {
				x++
			}
			out[q] = x < len(buf) && buf[x].Pack() == qs[q]
		}
	}
	return out, nil
}

// first is the first pair of chunk k, packed.
func (c *CompactPairs) first(k int) (uint64, error) {
	var b []byte
	if c.file == nil {
		b = c.data[c.starts[k]:]
	} else {
		var tmp [binary.MaxVarintLen64]byte
		n, err := c.file.ReadAt(tmp[:], c.starts[k])
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, fmt.Errorf("blocking: reading spilled candidates: %w", err)
		}
		b = tmp[:n]
	}
	v, w := binary.Uvarint(b)
	if w <= 0 {
		return 0, errors.New("blocking: corrupt compact pair list")
	}
	return v, nil
}

// Spill writes the encoded pairs to a new temporary file in dir and frees
// their memory; the file is removed by Close. Spilling twice is a no-op.
func (c *CompactPairs) Spill(dir string) error {
	if c.file != nil {
		return nil
	}
	f, err := os.CreateTemp(dir, ".swd-spill-*")
	if err != nil {
		return fmt.Errorf("blocking: spilling candidates: %w", err)
	}
	if _, err := f.Write(c.data); err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return fmt.Errorf("blocking: spilling candidates: %w", err)
	}
	c.file, c.data = f, nil
	return nil
}

// Spilled reports whether the pairs live in a file.
func (c *CompactPairs) Spilled() bool { return c.file != nil }

// Close removes the spill file, if any, and empties the list.
func (c *CompactPairs) Close() error {
	var err error
	if c.file != nil {
		name := c.file.Name()
		err = errors.Join(c.file.Close(), os.Remove(name))
	}
	*c = CompactPairs{}
	return err
}

// compactFlush is the number of packed pairs CandidatesCompact gathers
// (from any number of bands) before sorting them and merging them into the
// union: 64 MiB, whatever the size of the job.
const compactFlush = 1 << 23

// CandidatesCompact is Candidates (b == nil: CandidatesDedup) with the
// union held compactly throughout: the distinct candidate pairs, sorted,
// plus those of extra (sorted packed pairs, such as an exhaustive pass's),
// with a peak memory of twice the compact union plus a bounded buffer of
// pairs, never the 8 bytes a pair of the whole union. It honours
// cfg.MaxCandidates like Candidates.
func CandidatesCompact(ctx context.Context, a, b *encoding.Dataset, cfg Config, extra []uint64) (*CompactPairs, Stats, error) {
	ub := newUnionBuilder(cfg.maxCandidates(), compactFlush)
	st, err := Blocks(ctx, a, b, cfg, ub.add)
	if err != nil {
		return nil, st, err
	}
	union, err := ub.finish(&st, extra)
	return union, st, err
}

// CandidatesCompactMany is CandidatesCompact for several jobs over the
// datasets ds, blocked together by BlocksMany (each band of each dataset
// keyed and sorted once); extra, when not nil, holds each job's extra
// pairs. The jobs share one buffer's worth of memory for pairs not yet
// merged into their unions.
func CandidatesCompactMany(ctx context.Context, ds []*encoding.Dataset, jobs []Job, cfg Config, extra [][]uint64) ([]*CompactPairs, []Stats, error) {
	ubs := make([]*unionBuilder, len(jobs))
	for k := range ubs {
		ubs[k] = newUnionBuilder(cfg.maxCandidates(), max(compactFlush/len(jobs), 1<<16))
	}
	st, err := BlocksMany(ctx, ds, jobs, cfg, func(k int, blk Block) error { return ubs[k].add(blk) })
	if err != nil {
		return nil, st, err
	}
	// The last merge of each job's buffered and extra pairs, on the
	// workers too (by job: each union is built as on one worker).
	out := make([]*CompactPairs, len(jobs))
	errs := make([]error, len(jobs))
	_, order := largestFirst(ds, make([]bool, len(ds)), jobs)
	each(cfg.workers(), order, func(_, k int) {
		var x []uint64
		if extra != nil {
			x = extra[k]
		}
		out[k], errs[k] = ubs[k].finish(&st[k], x)
		ubs[k] = nil
	})
	for _, err := range errs {
		if err != nil {
			return nil, st, err
		}
	}
	return out, st, nil
}

// unionBuilder gathers the pairs of blocks and merges them into a compact
// union each time flushAt of them are buffered.
type unionBuilder struct {
	union   *CompactPairs
	buf     []uint64
	limit   int64
	flushAt int
}

func newUnionBuilder(limit int64, flushAt int) *unionBuilder {
	return &unionBuilder{union: &CompactPairs{}, limit: limit, flushAt: flushAt}
}

// add buffers the pairs of blk (a Blocks yield function).
func (u *unionBuilder) add(blk Block) error {
	if len(u.buf) >= u.flushAt {
		u.flush()
	}
	if int64(u.union.Len()) > u.limit || blk.NumPairs() > u.limit {
		return base.Mark(fmt.Errorf("%w: more than %d in pass %s (band %d)",
			ErrTooManyCandidates, u.limit, blk.Pass, blk.Band), base.ErrUsage)
	}
	u.buf = blk.AppendPacked(u.buf)
	return nil
}

// flush merges the buffered pairs into the union.
func (u *unionBuilder) flush() {
	if len(u.buf) == 0 {
		return
	}
	slices.Sort(u.buf)
	u.buf = slices.Compact(u.buf)
	next := &CompactPairs{data: make([]byte, 0, u.union.size+int64(3*len(u.buf)))}
	mergeCompact(next, u.union, u.buf)
	u.union = next
	u.buf = u.buf[:0]
}

// finish merges what is buffered, records the candidates in st, adds extra
// and returns the union.
func (u *unionBuilder) finish(st *Stats, extra []uint64) (*CompactPairs, error) {
	u.flush()
	if int64(u.union.Len()) > u.limit {
		return nil, base.Mark(fmt.Errorf("%w: more than %d", ErrTooManyCandidates, u.limit), base.ErrUsage)
	}
	st.Candidates = int64(u.union.Len())
	if len(extra) > 0 {
		u.buf = append(u.buf[:0], extra...)
		u.flush()
	}
	u.buf = nil
	u.union.data = slices.Clip(u.union.data)
	return u.union, nil
}

// mergeCompact appends to dst (empty) the union of x and the sorted,
// distinct packed pairs y.
func mergeCompact(dst, x *CompactPairs, y []uint64) {
	out := make([]uint64, 0, 4096)
	emit := func(v uint64) {
		out = append(out, v)
		if len(out) == cap(out) {
			dst.AppendPacked(out)
			out = out[:0]
		}
	}
	j := 0
	var v uint64
	data := x.data
	for k := 0; k < x.n; k++ {
		if k%CompactChunk == 0 {
			v = 0
		}
		d, w := binary.Uvarint(data)
		data = data[w:]
		v += d
		for j < len(y) && y[j] < v {
			emit(y[j])
			j++
		}
		if j < len(y) && y[j] == v {
			j++
		}
		emit(v)
	}
	for ; j < len(y); j++ {
		emit(y[j])
	}
	dst.AppendPacked(out)
}
