package match

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/internal/inorder"
)

// Pair is a candidate pair (I in the first arena, J in the second).
type Pair = bitvec.Pair

// Match is a scored pair: I indexes the query arena, J the candidates in
// their original order (not the Index's sorted order).
type Match struct {
	I, J  uint32
	Score float64 // Dice coefficient
}

// Stats counts the work a search did.
type Stats struct {
	Queries  int
	Compared int64 // pairs whose AND+popcount was computed
	Pruned   int64 // pairs skipped by the cardinality filter
	Matches  int64 // pairs delivered
}

// Emit receives the matches of one chunk of queries. Calls never overlap.
// The slice is reused after Emit returns: copy what must outlive the call.
// A non-nil error stops the search and is returned by it.
type Emit func([]Match) error

// Search compares every filter of a with every candidate of ix and streams
// the pairs that reach the threshold (and, with TopK, are among the best of
// their query) to emit, one chunk of queries at a time.
func Search(ctx context.Context, a bitvec.Arena, ix *Index, emit Emit, opts ...Option) (Stats, error) {
	return search(ctx, a, ix, emit, false, opts)
}

// SearchDedup finds the duplicate pairs inside one dataset: ix must be
// NewIndex(a), and each pair is reported once, with I < J. Without TopK
// each filter is compared only with those after it in the index (half the
// work of Search); chunks then follow the index's popcount order, so with
// Ordered the output is deterministic and sorted within each chunk but not
// globally. With TopK every filter is a query and its best candidates J > I
// are kept.
func SearchDedup(ctx context.Context, a bitvec.Arena, ix *Index, emit Emit, opts ...Option) (Stats, error) {
	if ix.Len() != a.Len() {
		return Stats{}, base.Usagef("match: dedup index has %d filters, dataset %d", ix.Len(), a.Len())
	}
	return search(ctx, a, ix, emit, true, opts)
}

func search(ctx context.Context, a bitvec.Arena, ix *Index, emit Emit, dedup bool, opts []Option) (Stats, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return Stats{}, err
	}
	if a.Words != ix.Words() && a.Len() > 0 && ix.Len() > 0 {
		return Stats{}, base.Usagef("match: query filters have %d bits, candidates %d", 64*a.Words, 64*ix.Words())
	}
	tri := dedup && o.topK == 0
	if tri {
		a = ix.sorted
	}
	n := a.Len()
	s := &scheduler{
		ctx: ctx, emit: emit, ordered: o.ordered,
		chunks: (n + o.chunk - 1) / o.chunk,
	}
	need := NeedTable(64*a.Words, o.threshold)
	workers := min(o.workers, max(s.chunks, 1))
	stats := make([]Stats, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := newWorker(ix, o, need, dedup)
			wk.tri = tri
			s.run(a, wk, o.chunk)
			stats[w] = wk.stats
		}()
	}
	wg.Wait()
	total := Stats{Queries: n}
	for _, st := range stats {
		total.Compared += st.Compared
		total.Pruned += st.Pruned
		total.Matches += st.Matches
	}
	return total, s.err
}

// scheduler hands out chunks of queries through an atomic counter and
// serialises (and, when ordered, re-sequences) their delivery.
type scheduler struct {
	ctx     context.Context
	emit    Emit
	ordered bool
	chunks  int
	nextRun atomic.Int64
	stop    atomic.Bool

	mu      sync.Mutex
	pending inorder.Queue[[]Match] // chunks that finished before their turn, when ordered
	err     error
}

func (s *scheduler) run(a bitvec.Arena, wk *worker, size int) {
	n := a.Len()
	for !s.stop.Load() {
		c := int(s.nextRun.Add(1) - 1)
		if c >= s.chunks {
			return
		}
		if err := s.ctx.Err(); err != nil {
			s.fail(fmt.Errorf("match: %w", err))
			return
		}
		out := wk.chunk(a, c*size, min(n, (c+1)*size), s.ordered)
		s.deliver(c, out)
	}
}

func (s *scheduler) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
	s.stop.Store(true)
}

func (s *scheduler) deliver(c int, out []Match) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return
	}
	if !s.ordered {
		s.send(out)
		return
	}
	s.pending.Put(c, out, s.send)
}

// send calls emit (s.mu held) and records its error.
func (s *scheduler) send(m []Match) bool {
	if len(m) == 0 {
		return true
	}
	if err := s.emit(m); err != nil {
		s.err = err
		s.stop.Store(true)
		return false
	}
	return true
}

// sortMatches orders matches by (I, J).
func sortMatches(m []Match) {
	slices.SortFunc(m, func(x, y Match) int {
		if x.I != y.I {
			return int(int64(x.I) - int64(y.I))
		}
		return int(int64(x.J) - int64(y.J))
	})
}
