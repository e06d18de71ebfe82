package incremental

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/match"
)

// freshEdges searches the candidates of the fresh records against every
// current record, scores them job by job (as linkage.Link pairs the
// datasets) and returns those accepted.
func (u *updater) freshEdges(ctx context.Context) ([]cluster.Edge, error) {
	var out []cluster.Edge
	u.levels = newLevelCounts(u.prev.Model)
	jobs := linkage.Jobs(len(u.ds), u.cfg.NoDedup)
	cands, err := u.candidates(ctx, jobs)
	if err != nil {
		return nil, err
	}
	for k, j := range jobs {
		pairs := cands[k]
		cands[k] = nil
		u.res.Stats.Candidates += int64(len(pairs))
		es, mean, err := u.scorePairs(ctx, j, pairs)
		if err != nil {
			return nil, err
		}
		u.res.Stats.MeanWeight += mean * float64(len(pairs))
		out = append(out, es...)
		u.cfg.Progress("candidates", int64(k+1), int64(len(jobs)))
	}
	if u.res.Stats.Candidates > 0 {
		u.res.Stats.MeanWeight /= float64(u.res.Stats.Candidates)
	}
	u.res.Stats.Drift = drift(u.prev.Model, u.levels)
	for _, d := range u.res.Stats.Drift {
		u.res.Stats.MaxDrift = max(u.res.Stats.MaxDrift, d.TV)
	}
	return out, nil
}

// candidates returns the packed pairs (row of A, row of B; A's row below
// B's for de-duplication), sorted and distinct, of every job with at least
// one fresh record: the blocking passes and the all-pairs Dice pass, each
// pair holding a fresh record (fresh × all, in each direction). A job
// whose records are all fresh is searched as Link does.
func (u *updater) candidates(ctx context.Context, jobs []linkage.Job) ([][]uint64, error) {
	out := make([][]uint64, len(jobs))
	var part []int // jobs with some records fresh, not all
	for k, j := range jobs {
		a, b := u.ds[j.A], u.ds[j.B]
		fa, fb := u.fresh[j.A], u.fresh[j.B]
		switch {
		case len(fa) == 0 && len(fb) == 0:
		case len(fa) == a.Len() && len(fb) == b.Len():
			var err error
			if out[k], err = u.allCandidates(ctx, j, *u.blocking(j), u.dice(j)); err != nil {
				return nil, fmt.Errorf("incremental: candidates %s × %s: %w", a.Meta.Partner, b.Meta.Partner, err)
			}
		default:
			part = append(part, k)
		}
	}
	if len(part) == 0 {
		return out, nil
	}
	// The blocking runs on one goroutine while the Dice pass runs on the
	// workers: neither needs the other.
	blocked := make([][]uint64, len(jobs))
	var blockErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		blockErr = u.blockFresh(ctx, jobs, part, blocked)
	}()
	diceErr := u.diceFresh(ctx, jobs, part, out)
	<-done
	switch {
	case blockErr != nil:
		return nil, fmt.Errorf("incremental: blocking: %w", blockErr)
	case diceErr != nil:
		return nil, fmt.Errorf("incremental: all-pairs Dice pass: %w", diceErr)
	}
	for _, k := range part {
		out[k] = append(out[k], blocked[k]...)
		blocked[k] = nil
		slices.Sort(out[k])
		out[k] = slices.Compact(out[k])
	}
	return out, nil
}

// blockFresh appends to out[k] the pairs holding a fresh record of the
// blocks of each job k of part (blocking.BlocksTouching): all the jobs
// together when they share one blocking configuration, as Link blocks them.
func (u *updater) blockFresh(ctx context.Context, jobs []linkage.Job, part []int, out [][]uint64) error {
	groups := map[int][]int{} // first job of a configuration → jobs sharing it
	var firsts []int
	for _, k := range part {
		found := false
		for _, f := range firsts {
			if reflect.DeepEqual(*u.blocking(jobs[f]), *u.blocking(jobs[k])) {
				groups[f] = append(groups[f], k)
				found = true
				break
			}
		}
		if !found {
			firsts = append(firsts, k)
			groups[k] = []int{k}
		}
	}
	for _, f := range firsts {
		ks := groups[f]
		bjobs := make([]blocking.Job, len(ks))
		for x, k := range ks {
			bjobs[x] = blocking.Job{A: jobs[k].A, B: jobs[k].B}
		}
		err := blocking.BlocksTouching(ctx, u.ds, bjobs, *u.blocking(jobs[f]), u.isNew, func(x int, blk blocking.Block) error {
			k := ks[x]
			j := jobs[k]
			fa, fb := u.isNew[j.A], u.isNew[j.B]
			if j.Dedup() {
				for p, r := range blk.A {
					for _, s := range blk.A[p+1:] {
						if fa[r] || fa[s] {
							out[k] = append(out[k], blocking.Pair{I: r, J: s}.Pack())
						}
					}
				}
				return nil
			}
			for _, r := range blk.A {
				for _, s := range blk.B {
					if fa[r] || fb[s] {
						out[k] = append(out[k], blocking.Pair{I: r, J: s}.Pack())
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// diceFresh appends to out[k] the pairs of the all-pairs Dice pass of each
// job k of part, if its comparison space allows one: each fresh record of
// either side against every record of the other (its best DiceTopK at
// DiceThreshold or above). The queries against one dataset, from every
// job, go in one search.
func (u *updater) diceFresh(ctx context.Context, jobs []linkage.Job, part []int, out [][]uint64) error {
	// A search direction: the fresh records of x against dataset y, for
	// job k, with x the job's A side when fromA.
	type dir struct {
		k, x  int
		fromA bool
	}
	byIndex := make([][]dir, len(u.ds))
	for _, k := range part {
		j := jobs[k]
		if !u.dice(j) {
			continue
		}
		if len(u.fresh[j.A]) > 0 {
			byIndex[j.B] = append(byIndex[j.B], dir{k, j.A, true})
		}
		if !j.Dedup() && len(u.fresh[j.B]) > 0 {
			byIndex[j.A] = append(byIndex[j.A], dir{k, j.B, false})
		}
	}
	opts := []match.Option{match.Threshold(u.cfg.DiceThreshold), match.TopK(u.cfg.DiceTopK), match.Workers(u.cfg.Workers)}
	for y, dirs := range byIndex {
		if len(dirs) == 0 {
			continue
		}
		// The queries: the fresh CLKs of each direction's x, one after the
		// other; starts[d] is the first of direction d.
		words := u.ds[y].CLK.Words
		starts := make([]uint32, len(dirs)+1)
		for d, dr := range dirs {
			starts[d+1] = starts[d] + uint32(len(u.fresh[dr.x]))
		}
		q := bitvec.Arena{Words: words, Data: make([]uint64, 0, int(starts[len(dirs)])*words)}
		for _, dr := range dirs {
			for _, r := range u.fresh[dr.x] {
				q.Data = append(q.Data, u.ds[dr.x].CLK.At(r)...)
			}
		}
		_, err := match.Search(ctx, q, u.clkIndex(y), func(ms []match.Match) error {
			for _, m := range ms {
				d := sort.Search(len(dirs), func(d int) bool { return starts[d+1] > m.I })
				dr := dirs[d]
				r, s := uint32(u.fresh[dr.x][m.I-starts[d]]), m.J
				j := jobs[dr.k]
				var p blocking.Pair
				switch {
				case j.Dedup() && r == s:
					continue
				case j.Dedup():
					p = blocking.Pair{I: min(r, s), J: max(r, s)}
				case dr.fromA:
					p = blocking.Pair{I: r, J: s}
				default:
					p = blocking.Pair{I: s, J: r}
				}
				out[dr.k] = append(out[dr.k], p.Pack())
			}
			return nil
		}, opts...)
		if err != nil {
			return err
		}
	}
	return nil
}

// dice reports whether job j's comparison space is small enough for the
// all-pairs Dice pass.
func (u *updater) dice(j linkage.Job) bool {
	return u.cfg.DiceMaxPairs >= 0 && j.Space(u.ds[j.A].Len(), u.ds[j.B].Len()) <= float64(u.cfg.DiceMaxPairs)
}

// blocking returns the blocking configuration of job j.
func (u *updater) blocking(j linkage.Job) *blocking.Config {
	if u.cfg.Blocking != nil {
		return u.cfg.Blocking
	}
	d := linkage.DefaultBlocking(u.ds[j.A], u.cfg.Seed, linkage.Records(u.ds))
	return &d
}

// allCandidates is Link's search of a job whose records are all fresh.
func (u *updater) allCandidates(ctx context.Context, j linkage.Job, bc blocking.Config, dice bool) ([]uint64, error) {
	a, b := u.ds[j.A], u.ds[j.B]
	var cands []blocking.Pair
	var err error
	if j.Dedup() {
		cands, _, err = blocking.CandidatesDedup(ctx, a, bc)
	} else {
		cands, _, err = blocking.Candidates(ctx, a, b, bc)
	}
	if err != nil {
		return nil, err
	}
	out := make([]uint64, 0, len(cands))
	for _, p := range cands {
		out = append(out, p.Pack())
	}
	if dice {
		opts := []match.Option{match.Threshold(u.cfg.DiceThreshold), match.TopK(u.cfg.DiceTopK), match.Workers(u.cfg.Workers)}
		emit := func(ms []match.Match) error {
			for _, m := range ms {
				out = append(out, blocking.Pair{I: m.I, J: m.J}.Pack())
			}
			return nil
		}
		if j.Dedup() {
			_, err = match.SearchDedup(ctx, a.CLK, match.NewIndex(a.CLK), emit, opts...)
		} else {
			_, err = match.Search(ctx, a.CLK, match.NewIndex(b.CLK), emit, opts...)
		}
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// scoreChunk is the number of pairs scorePairs gives a worker at a time.
// The chunks, not the workers, fix the order of the sums, so the mean
// weight does not depend on --workers.
const scoreChunk = 1 << 14

// scorePairs scores the packed pairs of job j on all workers and returns
// the accepted edges and the mean match weight of all pairs. The pairs go
// to the workers in chunks of scoreChunk; each chunk's weights are summed
// on their own and the chunks' sums and edges combined in chunk order, so
// the result is the same whatever the number of workers.
func (u *updater) scorePairs(ctx context.Context, j linkage.Job, pairs []uint64) ([]cluster.Edge, float64, error) {
	if len(pairs) == 0 {
		return nil, 0, nil
	}
	sc := u.scorers[[2]int{j.A, j.B}]
	prior := u.priors[[2]int{j.A, j.B}]
	chunks := (len(pairs) + scoreChunk - 1) / scoreChunk
	workers := min(max(1, u.cfg.Workers), chunks)
	parts := make([][]cluster.Edge, chunks)
	sums := make([]float64, chunks)
	levels := make([]levelCounts, workers)
	cmp := sc.Comparer()
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		levels[w] = newLevelCounts(u.prev.Model)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks || ctx.Err() != nil {
					return
				}
				lo, hi := c*scoreChunk, min(len(pairs), (c+1)*scoreChunk)
				var sum float64
				for _, x := range pairs[lo:hi] {
					p := blocking.Pair{I: uint32(x >> 32), J: uint32(x)}
					_, weight := sc.Weigh(int(p.I), int(p.J))
					prob := probability(weight + prior)
					sum += weight
					if prob >= u.cfg.Threshold {
						for f := range levels[w] {
							levels[w][f][cmp.Level(f, int(p.I), int(p.J))]++
						}
						parts[c] = append(parts[c], cluster.Edge{A: cluster.Ref{Partner: j.A, Row: int(p.I)},
							B: cluster.Ref{Partner: j.B, Row: int(p.J)}, Weight: weight + prior, Probability: prob})
					}
				}
				sums[c] = sum
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("incremental: %w", err)
	}
	var out []cluster.Edge
	var sum float64
	for c := range chunks {
		out = append(out, parts[c]...)
		sum += sums[c]
	}
	for w := range workers {
		u.levels.add(levels[w])
	}
	return out, sum / float64(len(pairs)), nil
}

// clkIndex returns the Dice search index of dataset d's CLKs, built once.
func (u *updater) clkIndex(d int) *match.Index {
	if u.clks == nil {
		u.clks = map[int]*match.Index{}
	}
	if ix, ok := u.clks[d]; ok {
		return ix
	}
	ix := match.NewIndex(u.ds[d].CLK)
	u.clks[d] = ix
	return ix
}
