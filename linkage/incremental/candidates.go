package incremental

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/match"
)

// freshEdges searches the candidates of the fresh records against every
// current record, job by job as linkage.Link pairs the datasets, scores
// them and returns those accepted.
func (u *updater) freshEdges(ctx context.Context) ([]cluster.Edge, error) {
	var out []cluster.Edge
	u.levels = newLevelCounts(u.prev.Model)
	jobs := linkage.Jobs(len(u.ds), u.cfg.NoDedup)
	if err := u.buildIndexes(jobs); err != nil {
		return nil, fmt.Errorf("incremental: blocking keys: %w", err)
	}
	for k, j := range jobs {
		pairs, err := u.jobCandidates(ctx, j)
		if err != nil {
			return nil, fmt.Errorf("incremental: candidates %s × %s: %w", u.ds[j.A].Meta.Partner, u.ds[j.B].Meta.Partner, err)
		}
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

// jobCandidates returns the packed pairs (row of A, row of B; A's row below
// B's for de-duplication) of job j with at least one fresh record: the
// blocking passes and the all-pairs Dice pass, fresh × all in each
// direction. When every record is fresh it searches as Link does.
func (u *updater) jobCandidates(ctx context.Context, j linkage.Job) ([]uint64, error) {
	a, b := u.ds[j.A], u.ds[j.B]
	fa, fb := u.fresh[j.A], u.fresh[j.B]
	if len(fa) == 0 && len(fb) == 0 {
		return nil, nil
	}
	bc := u.blocking(j)
	dice := u.cfg.DiceMaxPairs >= 0 && j.Space(a.Len(), b.Len()) <= float64(u.cfg.DiceMaxPairs)
	var out []uint64
	if len(fa) == a.Len() && len(fb) == b.Len() {
		return u.allCandidates(ctx, j, *bc, dice)
	}
	// add keeps the pair (row r of the fresh side, row k of the other) as
	// a pair of the job's rows.
	add := func(r, k int, fromA bool) {
		var p blocking.Pair
		switch {
		case j.Dedup() && r == k:
			return
		case j.Dedup():
			p = blocking.Pair{I: uint32(min(r, k)), J: uint32(max(r, k))}
		case fromA:
			p = blocking.Pair{I: uint32(r), J: uint32(k)}
		default:
			p = blocking.Pair{I: uint32(k), J: uint32(r)}
		}
		out = append(out, p.Pack())
	}
	search := func(x, y int, rows []int, fromA bool) error {
		if len(rows) == 0 {
			return nil
		}
		if err := u.blockPairs(x, y, rows, *bc, func(r, k int) { add(r, k, fromA) }); err != nil {
			return err
		}
		if !dice {
			return nil
		}
		sub := subset(u.ds[x], rows)
		opts := []match.Option{match.Threshold(u.cfg.DiceThreshold), match.TopK(u.cfg.DiceTopK), match.Workers(u.cfg.Workers)}
		_, err := match.Search(ctx, sub.CLK, u.clkIndex(y), func(ms []match.Match) error {
			for _, m := range ms {
				add(rows[m.I], int(m.J), fromA)
			}
			return nil
		}, opts...)
		return err
	}
	if err := search(j.A, j.B, fa, true); err != nil {
		return nil, err
	}
	if !j.Dedup() {
		if err := search(j.B, j.A, fb, false); err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
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

// scorePairs scores the packed pairs of job j on all workers and returns
// the accepted edges and the mean match weight of all pairs.
func (u *updater) scorePairs(ctx context.Context, j linkage.Job, pairs []uint64) ([]cluster.Edge, float64, error) {
	if len(pairs) == 0 {
		return nil, 0, nil
	}
	sc := u.scorers[[2]int{j.A, j.B}]
	prior := u.priors[[2]int{j.A, j.B}]
	workers := max(1, u.cfg.Workers)
	chunk := (len(pairs) + workers - 1) / workers
	parts := make([][]cluster.Edge, workers)
	sums := make([]float64, workers)
	levels := make([]levelCounts, workers)
	cmp := sc.Comparer()
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := min(len(pairs), w*chunk), min(len(pairs), (w+1)*chunk)
		wg.Add(1)
		levels[w] = newLevelCounts(u.prev.Model)
		go func() {
			defer wg.Done()
			for k, x := range pairs[lo:hi] {
				if k%4096 == 0 && ctx.Err() != nil {
					return
				}
				p := blocking.Pair{I: uint32(x >> 32), J: uint32(x)}
				_, weight := sc.Weigh(int(p.I), int(p.J))
				prob := probability(weight + prior)
				sums[w] += weight
				if prob >= u.cfg.Threshold {
					for f := range levels[w] {
						levels[w][f][cmp.Level(f, int(p.I), int(p.J))]++
					}
					parts[w] = append(parts[w], cluster.Edge{A: cluster.Ref{Partner: j.A, Row: int(p.I)},
						B: cluster.Ref{Partner: j.B, Row: int(p.J)}, Weight: weight + prior, Probability: prob})
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("incremental: %w", err)
	}
	var out []cluster.Edge
	var sum float64
	for w := range workers {
		out = append(out, parts[w]...)
		sum += sums[w]
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
