package linkage

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/model"
	"github.com/welfare-district/swd/linkage/schema"
)

// Result is what Link produces.
type Result struct {
	Links  []cluster.Link // one per input record
	Model  *model.Model
	Report *Report
	// Priors are the prior weights of every pair of partners compared,
	// in job order (see PairPrior): with Model, what a runner that scores
	// pairs itself (an incremental linkage) needs to score them as Link
	// did.
	Priors []PairPrior
}

// job is the comparison work between two datasets (A == B: duplicates
// inside one dataset). It is the unit that scales out: jobs, and blocks
// within them, are independent.
type job struct {
	a, b  int
	cands blocking.CompactPairs // held compactly (or spilled) from blocking to the expected quality
	stats blocking.Stats
	dice  int              // pairs found by the exhaustive Dice pass
	cmp   *model.Comparer  // while the job is being blocked; see comparer
	pats  *pairPatterns    // the candidates' patterns, kept as they are counted (nil: compare again)
	sides *model.SideCache // shared by the comparers and scorers of all jobs
	// counts are the agreement patterns of the candidates; prior is the
	// job's own prior weight log2(λ/(1−λ)) (see jobPriors).
	counts model.PatternCounts
	prior  float64
	random model.PatternCounts // patterns of random pairs (the sample behind u)
}

func (j *job) dedup() bool { return j.a == j.b }

// comparer returns a comparer of the job's datasets: j.cmp while blocking
// holds one, else a new one, not kept (its per-record tables are rebuilt in
// one pass over the filters, so no job holds them between phases).
func (j *job) comparer(ds []*encoding.Dataset, cmps []model.Comparison) (*model.Comparer, error) {
	if j.cmp != nil {
		return j.cmp, nil
	}
	return model.NewComparerShared(cmps, ds[j.a], ds[j.b], j.sides)
}

// Link links the encoded datasets: one dataset is de-duplicated, several are
// linked across partners (and each de-duplicated unless cfg.NoDedup).
func Link(ctx context.Context, ds []*encoding.Dataset, cfg Config) (*Result, error) {
	if err := cfg.ensureDefaults(); err != nil {
		return nil, err
	}
	if err := CheckCompatible(ds); err != nil {
		return nil, err
	}
	rep := newReport(ds, cfg)
	cmps, err := comparisons(ds[0], cfg)
	if err != nil {
		return nil, err
	}

	t0 := time.Now()
	jobs, err := block(ctx, ds, cmps, cfg, rep)
	defer closeJobs(jobs)
	if err != nil {
		return nil, err
	}
	rep.addBlocking(ds, jobs)
	rep.Timings["blocking_s"] = time.Since(t0).Seconds() - rep.Timings["patterns_s"]

	t0 = time.Now()
	m := cfg.Model
	if m == nil {
		if m, err = fit(ctx, ds, jobs, cmps, cfg); err != nil {
			return nil, err
		}
	}
	if err := jobPriors(ctx, ds, jobs, m, cfg); err != nil {
		return nil, err
	}
	if err := ensureRandom(ctx, ds, jobs, cmps, cfg); err != nil {
		return nil, err
	}
	rep.Timings["model_s"] = time.Since(t0).Seconds() + rep.Timings["patterns_s"]
	delete(rep.Timings, "patterns_s")

	t0 = time.Now()
	scorers, err := newScorers(ds, jobs, m, cfg)
	if err != nil {
		return nil, err
	}
	edges, err := score(ctx, ds, jobs, scorers, m, cfg, rep)
	if err != nil {
		return nil, err
	}
	rep.Timings["scoring_s"] = time.Since(t0).Seconds()

	t0 = time.Now()
	cc := clusterConfig(jobs, scorers, cfg)
	cc.Progress = func(done, total int64) { cfg.Progress(StageClustering, done, total) }
	ps, err := partners(ds, cfg)
	if err != nil {
		return nil, err
	}
	links, stats, err := cluster.Build(ctx, ps, edges, cc)
	if err != nil {
		return nil, err
	}
	rep.Timings["clustering_s"] = time.Since(t0).Seconds()
	pe, err := personsExpected(ds, jobs, links, clusterWeigher(jobs, scorers))
	if err != nil {
		return nil, err
	}
	closeJobs(jobs) // the candidates are no longer needed
	rep.finish(m, links, stats, pe)
	rep.HouseholdErrors = EstimateHouseholdErrors(ds, edges, links)
	cfg.Logger.Info("linked", "records", stats.Records, "persons", stats.Clusters, "households", stats.Households,
		"links_accepted", stats.Edges, "expected_precision", rep.Expected.Precision)
	return &Result{Links: links, Model: m, Report: rep, Priors: pairPriors(ds, jobs)}, nil
}

// comparisons returns the configured comparisons or the defaults for the
// field kinds of the encoding schema carried in the files.
func comparisons(d *encoding.Dataset, cfg Config) ([]model.Comparison, error) {
	if cfg.Model != nil {
		return cfg.Model.Comparisons(), nil
	}
	if cfg.Comparisons != nil {
		return cfg.Comparisons, nil
	}
	info := map[string]model.FieldInfo{}
	salts := map[string]string{}
	keys := map[string]string{}    // field → the field whose key hashes it
	wholeDate := map[string]bool{} // field → salted by a whole date
	if len(d.Meta.Schema) > 0 {
		s, err := schema.Parse(d.Meta.Schema)
		if err != nil {
			return nil, fmt.Errorf("partner %q: the schema in the file's metadata: %w", d.Meta.Partner, err)
		}
		for _, f := range s.Fields {
			info[f.Name] = model.FieldInfo{Name: f.Name, Kind: string(f.Kind), QGrams: f.Tokens.Q > 0, DateParts: f.Tokens.Parts}
			salts[f.Name] = f.Salt
			keys[f.Name] = f.KeyName()
			wholeDate[f.Name] = f.Salt != "" && f.SaltPart == schema.SaltPartDate
		}
	}
	cmps := make([]model.Comparison, len(d.Fields))
	for i, f := range d.Fields {
		fi, ok := info[f.Name]
		if !ok {
			fi = model.FieldInfo{Name: f.Name}
		}
		cmps[i] = model.DefaultComparisonFor(fi)
		cmps[i].SaltedBy = salts[f.Name]
	}
	swapSharedKeys(cmps, keys)
	groupByDateSalt(cmps, wholeDate)
	for _, name := range cfg.TF {
		i := slices.IndexFunc(cmps, func(c model.Comparison) bool { return c.Field == name })
		if i < 0 || !cmps[i].Exact {
			return nil, base.Usagef("linkage: no field %q compared exactly for the term-frequency adjustment", name)
		}
		cmps[i].TF = true
	}
	return cmps, nil
}

// groupByDateSalt applies model.GroupBySalt to the comparisons salted by
// a whole date (schema salt: date(f)) only. A name salted by the whole
// birth date agrees exactly only with a name born the same day, and summed
// with the date's own weight the date counts twice; the joint fit removes
// that. Salted by the year alone, the joint costs more than it gives on
// the NC voter data (last name salted by, and fitted jointly with, the
// birth year: 142 and 166 false pairs under two secrets against 124 and
// 127 with the default name group; docs/linkage.md §8), so year-salted
// names keep their default groups.
func groupByDateSalt(cmps []model.Comparison, wholeDate map[string]bool) {
	only := slices.Clone(cmps)
	for i := range only {
		if !wholeDate[only[i].Field] {
			only[i].SaltedBy = ""
		}
	}
	model.GroupBySalt(only)
	for i := range cmps {
		cmps[i].Group = only[i].Group
	}
}

// swapSharedKeys lets the first two fields encoded under one key
// (schema key:, keys[field] naming the field whose key it is) be swapped
// (model.Comparison.SwapWith): their filters are comparable with each
// other, and a given name written in the surname's column and the surname
// in the given name's is a common error in the exports of Italian offices.
func swapSharedKeys(cmps []model.Comparison, keys map[string]string) {
	for f := range cmps {
		if cmps[f].SwapWith != "" || keys[cmps[f].Field] == "" {
			continue
		}
		for g := f + 1; g < len(cmps); g++ {
			if keys[cmps[g].Field] == keys[cmps[f].Field] && cmps[g].SwapWith == "" {
				cmps[f].SwapWith = cmps[g].Field
				return
			}
		}
	}
}

// block generates the candidate pairs of every job (see candidates), each
// job's union built compactly (never 8 bytes a pair for a whole job). Then,
// job by job, its pairs are counted by agreement pattern (j.counts, for
// the model's fit, unless a model is given, each pair's pattern kept in
// j.pats for the scoring) and kept, or spilled to disk when the candidates
// of all jobs would not fit in cfg.MemoryLimit. It returns the jobs (with
// any already built on error, to close).
func block(ctx context.Context, ds []*encoding.Dataset, cmps []model.Comparison, cfg Config, rep *Report) ([]*job, error) {
	var jobs []*job
	sides := &model.SideCache{}
	for _, j := range Jobs(len(ds), cfg.NoDedup) {
		jobs = append(jobs, &job{a: j.A, b: j.B, sides: sides})
	}
	budget := candidateBudget(ds, cfg)
	cands, stats, err := candidates(ctx, ds, jobs, cfg)
	if err != nil {
		return jobs, err
	}
	if cfg.ReleaseBlockKeys {
		for _, d := range ds {
			d.BlockKeys = nil
		}
	}
	var held, stored, pairs, counted int64
	for k, j := range jobs {
		j.cands, j.stats, cands[k] = *cands[k], stats[k], nil
		var err error
		if j.cmp, err = j.comparer(ds, cmps); err != nil {
			return jobs, err
		}
		if cfg.Model == nil {
			t0 := time.Now()
			j.pats = newPairPatterns(j.cands.Chunks())
			pc, err := countPatterns(ctx, j, cfg.Workers)
			if err != nil {
				return jobs, err
			}
			j.counts = pc
			rep.Timings["patterns_s"] += time.Since(t0).Seconds()
			counted += int64(j.cands.Len())
			cfg.Progress(StagePatterns, counted, -1) // counted as each partner pair is blocked
		}
		j.cmp = nil
		pairs += int64(j.cands.Len())
		if held+j.cands.InMemory()+j.pats.bytes() > budget {
			if err := j.cands.Spill(cfg.SpillDir); err != nil {
				return jobs, err
			}
			j.pats = nil // compared again when scored
			if rep.Spill == nil {
				rep.Spill = &SpillStats{}
			}
			rep.Spill.Jobs++
			rep.Spill.Bytes += j.cands.Bytes()
		} else {
			held += j.cands.InMemory() + j.pats.bytes()
		}
		stored += j.cands.Bytes()
		cfg.Progress(StageBlocking, int64(k+1), int64(len(jobs)))
		cfg.Logger.Debug("blocked", "a", ds[j.a].Meta.Partner, "b", ds[j.b].Meta.Partner, "candidates", j.cands.Len(),
			"bytes", j.cands.Bytes(), "spilled", j.cands.Spilled())
	}
	var skippedBlocks, skippedPairs int64
	for _, j := range jobs {
		for _, ps := range j.stats.Passes {
			skippedBlocks += int64(ps.SkippedBlocks)
			skippedPairs += ps.SkippedPairs
		}
	}
	cfg.Logger.Info("blocked", "candidates", pairs, "stored_bytes", stored, "in_memory_bytes", held,
		"capped_blocks", skippedBlocks, "capped_block_pairs", skippedPairs)
	return jobs, nil
}

// candidates blocks every job: all together, band by band
// (blocking.CandidatesCompactMany), when they share one blocking
// configuration, else one by one; each job's union includes the pairs of
// its exhaustive Dice pass, if any (j.dice).
func candidates(ctx context.Context, ds []*encoding.Dataset, jobs []*job, cfg Config) ([]*blocking.CompactPairs, []blocking.Stats, error) {
	bcs := make([]blocking.Config, len(jobs))
	extra := make([][]uint64, len(jobs))
	together := true
	bjobs := make([]blocking.Job, len(jobs))
	for k, j := range jobs {
		if cfg.Blocking != nil {
			bcs[k] = *cfg.Blocking
		} else {
			bcs[k] = DefaultBlocking(ds[j.a], cfg.Seed, Records(ds))
		}
		together = together && reflect.DeepEqual(bcs[k], bcs[0])
		dice, err := diceCandidates(ctx, ds[j.a], ds[j.b], j.dedup(), cfg)
		if err != nil {
			return nil, nil, err
		}
		j.dice, extra[k] = len(dice), dice
		bjobs[k] = blocking.Job{A: j.a, B: j.b}
	}
	if together && len(jobs) > 0 {
		cands, stats, err := blocking.CandidatesCompactMany(ctx, ds, bjobs, bcs[0], extra)
		if err != nil {
			return nil, nil, fmt.Errorf("blocking: %w", err)
		}
		return cands, stats, nil
	}
	cands := make([]*blocking.CompactPairs, len(jobs))
	stats := make([]blocking.Stats, len(jobs))
	for k, j := range jobs {
		b := ds[j.b]
		if j.dedup() {
			b = nil
		}
		var err error
		if cands[k], stats[k], err = blocking.CandidatesCompact(ctx, ds[j.a], b, bcs[k], extra[k]); err != nil {
			return nil, nil, fmt.Errorf("blocking %s × %s: %w", ds[j.a].Meta.Partner, ds[j.b].Meta.Partner, err)
		}
		extra[k] = nil
	}
	return cands, stats, nil
}

// candidateBudget is the memory the compact candidates of all jobs may hold
// before they are spilled: the memory limit less what the datasets hold and
// a reserve for one job's uncompressed pairs and the clustering's edges.
func candidateBudget(ds []*encoding.Dataset, cfg Config) int64 {
	if cfg.MemoryLimit <= 0 {
		return math.MaxInt64
	}
	var held int64
	for _, d := range ds {
		held += d.MemoryBytes()
	}
	return cfg.MemoryLimit - 2*held
}

// countPatterns counts the agreement patterns of a job's candidates on all
// workers, chunk by chunk, and keeps each pair's pattern in j.pats unless
// it is nil.
func countPatterns(ctx context.Context, j *job, workers int) (model.PatternCounts, error) {
	workers = max(1, workers)
	parts := make([]model.PatternCounts, workers)
	locals := make([]map[uint64]uint16, workers)
	bufs := make([][]blocking.Pair, workers)
	orders := make([][]uint64, workers)
	err := parallel(ctx, j.cands.Chunks(), 1, workers, func(w, lo, _ int) error {
		if parts[w] == nil {
			parts[w], locals[w] = model.PatternCounts{}, map[uint64]uint16{}
		}
		var err error
		if bufs[w], err = j.cands.Chunk(lo, bufs[w]); err != nil {
			return err
		}
		pc := parts[w]
		if j.pats == nil {
			for _, p := range bufs[w] {
				pc[j.cmp.Key(int(p.I), int(p.J))]++
			}
			return nil
		}
		ids := make([]uint16, len(bufs[w]))
		order := orders[w][:0]
		for k, p := range bufs[w] {
			order = append(order, uint64(p.J)<<32|uint64(k))
		}
		slices.Sort(order)
		orders[w] = order
		for _, o := range order {
			k := int(uint32(o))
			p := bufs[w][k]
			key := j.cmp.Key(int(p.I), int(p.J))
			pc[key]++
			ids[k] = j.pats.id(locals[w], key, p.I, p.J)
		}
		j.pats.ids[lo] = ids
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("counting patterns: %w", err)
	}
	total := model.PatternCounts{}
	for _, pc := range parts {
		total.Merge(pc)
	}
	return total, nil
}

// closeJobs frees the jobs' candidates and removes their spill files.
func closeJobs(jobs []*job) {
	for _, j := range jobs {
		_ = j.cands.Close()
		j.pats = nil
	}
}

// DefaultBlocking is the blocking used when none is configured: every keyed
// blocking-key column of the files, plus Hamming LSH on the CLKs with
// LSHBitsPerBand(records) bits a band, where records is the number of
// records of all the files linked together (the same for every partner
// pair of one linkage, so that they are blocked together).
func DefaultBlocking(d *encoding.Dataset, seed uint64, records int) blocking.Config {
	var c blocking.Config
	for _, k := range d.BlockKeys {
		c.Passes = append(c.Passes, blocking.Key{Column: k.Name})
	}
	bits := LSHBitsPerBand(records)
	if bits > lshBaseBits {
		bits = max(min(bits, 64*d.CLK.Words), lshBaseBits)
	}
	c.Passes = append(c.Passes, blocking.LSH{Bands: 48, BitsPerBand: bits, Seed: seed ^ 0x5344_4c53_4800})
	return c
}

// Records is the number of records of all of ds.
func Records(ds []*encoding.Dataset) int {
	n := 0
	for _, d := range ds {
		n += d.Len()
	}
	return n
}

// Bits per band of the default LSH pass: lshBaseBits up to lshBaseRecords
// records, then lshBitsPerDoubling more for each doubling of the records.
const (
	lshBaseBits        = 28
	lshBaseRecords     = 1_000_000
	lshBitsPerDoubling = 2
	lshMaxBits         = 64
)

// LSHBitsPerBand is the bits per band of the default LSH pass for a
// linkage of records records in all. Two records that agree by chance on
// a given share of their CLK bits collide in a band with a probability
// that does not depend on the data's size, so with a fixed band the
// chance collisions grow with the square of the records (measured on swd
// synth: 24 M band pairs at 1 M records, 80 M at 2 M with 28 bits). Each
// more bit multiplies the chance collisions by the share of bits two
// unrelated records agree on (about 0.6 to 0.8 on the synth CLKs, 28 to 36
// bits) and a true match's by its own, much higher share (above 0.9), so
// two more bits for each doubling keep the chance pairs a record gets
// about constant while losing few true matches: up to 1,000,000 records
// the band is 28 bits as before, 30 at 2 M, 33 at 5 M and 35 at 10 M
// (docs/performance.md).
func LSHBitsPerBand(records int) int {
	if records <= lshBaseRecords {
		return lshBaseBits
	}
	extra := math.Round(lshBitsPerDoubling * math.Log2(float64(records)/lshBaseRecords))
	return min(lshBaseBits+int(extra), lshMaxBits)
}

// fit estimates u by sampling and m, λ by EM on the pattern counts of all
// jobs' candidates (counted by block).
func fit(ctx context.Context, ds []*encoding.Dataset, jobs []*job, cmps []model.Comparison, cfg Config) (*model.Model, error) {
	counts := model.PatternCounts{}
	for _, j := range jobs {
		counts.Merge(j.counts)
	}
	if counts.Total() == 0 {
		return nil, base.Invalidf("blocking produced no candidate pairs: nothing to fit a model on (are the files from the same population and schema?)")
	}
	samples, err := sampleJobs(ctx, ds, jobs, cmps, cfg)
	if err != nil {
		return nil, err
	}
	sessions := SessionCounts(ctx, len(jobs), func(k int) (*model.Comparer, error) {
		return jobs[k].comparer(ds, cmps)
	}, cfg)
	return FitModel(ctx, cmps, counts, samples, cfg, sessions)
}

// jobPriors sets the prior of every job: λ refitted by EM on the job's own
// candidates with m and u fixed. Partners overlap unequally, and a
// partner's duplicates are far rarer than its matches with another partner
// (on 20k synth households λ was 0.0013–0.012 for the de-duplication jobs
// and 0.021–0.033 across partners, against 0.021 for all jobs together),
// so one prior for all would over-state the duplicates and under-state the
// big overlaps. When the model's λ is a rate among all pairs (training
// sessions), so is each job's, over its comparison space.
func jobPriors(ctx context.Context, ds []*encoding.Dataset, jobs []*job, m *model.Model, cfg Config) error {
	for _, j := range jobs {
		if j.counts == nil { // a model was given: block did not count
			c, err := j.comparer(ds, m.Comparisons())
			if err != nil {
				return err
			}
			j.cmp = c
			if !j.cands.Spilled() {
				j.pats = newPairPatterns(j.cands.Chunks())
			}
			pc, err := countPatterns(ctx, j, cfg.Workers)
			j.cmp = nil
			if err != nil {
				return err
			}
			j.counts = pc
		}
		j.prior = JobPrior(m, j.counts, j.space(ds))
	}
	return nil
}

// sessionMaxPairs bounds the pairs of each training session of the model's
// fallback (see model.EMConfig.SessionCounts).
const sessionMaxPairs = 2_000_000

// comparisonSpace is the number of pairs of all jobs.
func comparisonSpace(ds []*encoding.Dataset, jobs []*job) float64 {
	var space float64
	for _, j := range jobs {
		space += j.space(ds)
	}
	return space
}

// space is the number of pairs of a job: records of A × records of B, or
// n(n−1)/2 for de-duplication.
func (j *job) space(ds []*encoding.Dataset) float64 {
	return Job{j.a, j.b}.Space(ds[j.a].Len(), ds[j.b].Len())
}

// sampleJobs draws the random pairs behind u from every job (USample) and
// counts their patterns.
func sampleJobs(ctx context.Context, ds []*encoding.Dataset, jobs []*job, cmps []model.Comparison, cfg Config) ([]JobSample, error) {
	total := comparisonSpace(ds, jobs)
	out := make([]JobSample, len(jobs))
	for k, j := range jobs {
		out[k].Space = j.space(ds)
		n, seed := USample(k, out[k].Space, total, cfg)
		if n == 0 {
			continue
		}
		c, err := j.comparer(ds, cmps)
		if err != nil {
			return nil, err
		}
		pc, err := model.SamplePatternsN(ctx, c, n, seed, cfg.Workers)
		if err != nil {
			return nil, err
		}
		out[k].Patterns = pc
		j.random = pc
		cfg.Progress(StageUSampling, int64(k+1), int64(len(jobs)))
	}
	return out, nil
}

// score computes the posterior of every candidate, feeds the report's
// histograms, and returns the edges at or above the threshold.
func score(ctx context.Context, ds []*encoding.Dataset, jobs []*job, scorers map[[2]int]*model.Scorer, m *model.Model, cfg Config, rep *Report) ([]cluster.Edge, error) {
	var (
		edges []cluster.Edge
		done  int64
		total int64
	)
	for _, j := range jobs {
		total += int64(j.cands.Len())
	}
	cmps := m.Comparisons()
	uRandom := model.PatternCounts{}
	for _, j := range jobs {
		uRandom.Merge(j.random)
	}
	unident := unidentifiable(cmps, identifying(cmps, model.UFromPatterns(cmps, uRandom)))
	for _, j := range jobs {
		sc, prior := scorers[[2]int{j.a, j.b}], j.prior
		keys, weights := j.pats.weigher(sc)
		again := make([]int64, cfg.Workers) // pairs compared again (no pattern id)
		bufs := make([][]blocking.Pair, cfg.Workers)
		// Each chunk's figures and edges are merged in chunk order, so
		// that the sums and the order of the edges do not depend on the
		// workers.
		type scored struct {
			h     *scoreHist
			edges []cluster.Edge
			pairs int
		}
		h := newScoreHist(cfg.Threshold)
		merged := newInOrder(func(c scored) {
			h.merge(c.h)
			edges = append(edges, c.edges...)
			done += int64(c.pairs)
			cfg.Progress(StageScoring, done, total)
		})
		err := parallel(ctx, j.cands.Chunks(), 1, cfg.Workers, func(w, lo, _ int) error {
			h := newScoreHist(cfg.Threshold)
			var err error
			if bufs[w], err = j.cands.Chunk(lo, bufs[w]); err != nil {
				return err
			}
			var ids []uint16
			if keys != nil {
				ids = j.pats.ids[lo]
			}
			var local []cluster.Edge
			for k, p := range bufs[w] {
				var key uint64
				var weight float64
				if ids != nil && ids[k] != noPatternID {
					key, weight = keys[ids[k]], weights[ids[k]]
				} else {
					key, weight = sc.Weigh(int(p.I), int(p.J))
					again[w]++
				}
				prob := probability(weight + prior)
				h.add(weight+prior, prob)
				if unident(key) {
					h.sumUnident += prob
				}
				// Links, and the near misses EstimateHouseholdErrors
				// weighs (cluster.Build drops those below the threshold).
				if prob >= min(cfg.Threshold, NearMissFloor) {
					local = append(local, cluster.Edge{
						A:           cluster.Ref{Partner: j.a, Row: int(p.I)},
						B:           cluster.Ref{Partner: j.b, Row: int(p.J)},
						Weight:      weight + prior,
						Probability: prob,
					})
				}
			}
			merged.done(lo, scored{h, local, len(bufs[w])})
			return nil
		})
		if err != nil {
			return nil, err
		}
		rep.addScores(ds[j.a].Meta.Partner, ds[j.b].Meta.Partner, h)
		rep.missed += missedByBlocking(j, unident, h.sumP, h.sumUnident)
		var n int64
		for _, a := range again {
			n += a
		}
		cfg.Logger.Debug("scored", "a", ds[j.a].Meta.Partner, "b", ds[j.b].Meta.Partner, "candidates", j.cands.Len(),
			"patterns", len(j.counts), "compared_again", n)
		j.pats = nil // scored
	}
	return edges, nil
}

// probability is the posterior of posterior log2-odds w.
func probability(w float64) float64 { return 1 / (1 + math.Exp2(-w)) }

// clusterConfig is the configuration of the clustering: the link threshold
// and assignment of cfg, pairs weighed on demand by the scorers.
func clusterConfig(jobs []*job, scorers map[[2]int]*model.Scorer, cfg Config) cluster.Config {
	cc, _ := ClusterConfig(cfg, clusterWeigher(jobs, scorers).weight) // the mode is checked by ensureDefaults
	return cc
}

// clusterWeigher weighs pairs with the jobs' scorers and priors.
func clusterWeigher(jobs []*job, scorers map[[2]int]*model.Scorer) *pairWeigher {
	pw := &pairWeigher{scorers: scorers, priors: map[[2]int]float64{}}
	for _, j := range jobs {
		pw.priors[[2]int{j.a, j.b}] = j.prior
	}
	return pw
}

// newScorers binds the model to the datasets of every job.
func newScorers(ds []*encoding.Dataset, jobs []*job, m *model.Model, cfg Config) (map[[2]int]*model.Scorer, error) {
	out := map[[2]int]*model.Scorer{}
	for _, j := range jobs {
		sc, err := model.NewScorerShared(m, ds[j.a], ds[j.b], !cfg.NoTF, j.sides)
		if err != nil {
			return nil, err
		}
		out[[2]int{j.a, j.b}] = sc
	}
	return out, nil
}

// pairWeigher scores any pair of records of two compared datasets on
// demand: the clustering asks for the pairs of a component that were not
// candidates.
type pairWeigher struct {
	scorers map[[2]int]*model.Scorer // by job (a ≤ b)
	priors  map[[2]int]float64       // prior weight of each job
}

// weight is the posterior log2-odds (match weight plus prior) of the pair;
// ok is false for a pair of datasets that were not compared (partners'
// own duplicates with NoDedup).
func (v *pairWeigher) weight(a, b cluster.Ref) (float64, bool) {
	if a.Partner > b.Partner {
		a, b = b, a
	}
	k := [2]int{a.Partner, b.Partner}
	sc := v.scorers[k]
	if sc == nil {
		return 0, false
	}
	_, w := sc.Weigh(a.Row, b.Row)
	return w + v.priors[k], true
}

// partners describes the datasets to the clustering.
func partners(ds []*encoding.Dataset, cfg Config) ([]cluster.Partner, error) {
	var contact, place [][]uint64
	if !cfg.NoCoResidence {
		var err error
		if contact, place, err = CoResidenceKeys(ds); err != nil {
			return nil, err
		}
	}
	ps := make([]cluster.Partner, len(ds))
	for k, d := range ds {
		ps[k] = cluster.Partner{Name: d.Meta.Partner, RecordIDs: d.RecordIDs}
		if h := d.Attr(cfg.HouseholdAttr); h != nil {
			ps[k].Households = h.Values
		}
		if contact != nil {
			ps[k].CoResidence, ps[k].CoResidenceAt = contact[k], place[k]
		}
	}
	return ps, nil
}

// parallel runs fn over [0, n) in chunks of chunk on workers goroutines; w
// identifies the worker, so fn may keep per-worker state without locks. ctx
// is checked once per chunk.
func parallel(ctx context.Context, n, chunk, workers int, fn func(w, lo, hi int) error) error {
	if workers < 1 {
		workers = 1
	}
	var (
		next int64
		mu   sync.Mutex
		wg   sync.WaitGroup
		ferr error
	)
	take := func() (int, int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if ferr != nil || next >= int64(n) {
			return 0, 0, false
		}
		lo := int(next)
		next += int64(chunk)
		return lo, min(n, lo+chunk), true
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo, hi, ok := take()
				if !ok {
					return
				}
				err := ctx.Err()
				if err == nil {
					err = fn(w, lo, hi)
				}
				if err != nil {
					mu.Lock()
					if ferr == nil {
						ferr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return ferr
}
