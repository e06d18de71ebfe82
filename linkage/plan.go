package linkage

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/model"
)

// DefaultPlanSample is the number of records per dataset Plan blocks and
// compares, at most.
const DefaultPlanSample = 20_000

// Plan is Link's estimate of a job before it runs, from a sample of every
// dataset: the candidate pairs, the peak memory and the time. It is an
// estimate: blocks capped in the full data are not capped in the sample,
// so the pairs are rather over- than under-estimated.
type Plan struct {
	Records      int     `json:"records"`
	SampleShare  float64 `json:"sample_share"` // share of each dataset's records sampled
	Candidates   float64 `json:"candidates"`   // estimated distinct candidate pairs, all partner pairs
	DatasetBytes int64   `json:"dataset_bytes"`
	PeakBytes    int64   `json:"peak_bytes"` // estimated peak memory of the process
	Seconds      float64 `json:"seconds"`    // estimated wall time on cfg.Workers cores: RecordSeconds + PairSeconds
	// BlockingSeconds is the estimated time of the blocking alone;
	// RecordSeconds of all the work that grows with the records (the
	// blocking included), PairSeconds of the work that grows with the
	// candidate pairs.
	BlockingSeconds float64   `json:"blocking_seconds"`
	RecordSeconds   float64   `json:"record_seconds"`
	PairSeconds     float64   `json:"pair_seconds"`
	SampleSeconds   float64   `json:"sample_seconds"`
	Jobs            []JobPlan `json:"partner_pairs"`
}

// JobPlan is the estimate for one partner pair.
type JobPlan struct {
	A          string  `json:"a"`
	B          string  `json:"b"`
	Sampled    int64   `json:"sampled_candidates"`
	Candidates float64 `json:"candidates"`
}

// Costs of the estimate, measured with swd link on synthetic data at 1M
// records on 2 cores (docs/performance.md): bytes of a candidate pair held
// compactly, the bytes of the blocking buffers of one job, and the ratio
// of the whole per-pair work (counting, sampling, EM, scoring, clustering)
// to the per-pair comparison timed on the sample.
const (
	planPairBytes    = 4
	planBlockBuffers = 96 << 20
	planPairWork     = 3.0
	planTimedPairs   = 200_000
	planRecordWork   = 2.0
	planHeapOverhead = 1.3 // the collector's headroom over the live heap
)

// PlanLink estimates Link's candidates, memory and time for ds under cfg
// by blocking and comparing a random share of the records of every dataset
// (at most sample records each; 0: DefaultPlanSample). Pairs scale with the
// square of the share, blocking time with the share.
func PlanLink(ctx context.Context, ds []*encoding.Dataset, cfg Config, sample int) (*Plan, error) {
	if err := cfg.ensureDefaults(); err != nil {
		return nil, err
	}
	if err := CheckCompatible(ds); err != nil {
		return nil, err
	}
	if sample <= 0 {
		sample = DefaultPlanSample
	}
	cmps, err := comparisons(ds[0], cfg)
	if err != nil {
		return nil, err
	}
	p := &Plan{SampleShare: 1}
	largest := 0
	for _, d := range ds {
		p.Records += d.Len()
		p.DatasetBytes += d.MemoryBytes()
		largest = max(largest, d.Len())
	}
	if largest > sample {
		p.SampleShare = float64(sample) / float64(largest)
	}
	subs := make([]*encoding.Dataset, len(ds))
	for k, d := range ds {
		subs[k] = sampleRows(d, p.SampleShare, cfg.Seed+uint64(k))
	}
	t0 := time.Now()
	var blockTime, setupTime, pairTime time.Duration
	var diceSeconds float64
	var largestJob float64
	jobs := Jobs(len(ds), cfg.NoDedup)
	// The blocking is timed as Link runs it: all partner pairs together,
	// each file's keys computed once (blocking each pair on its own would
	// key every file once per partner pair).
	tb := time.Now()
	if err := planBlockTogether(ctx, ds, subs, jobs, cfg); err != nil {
		return nil, err
	}
	blockTime = time.Since(tb)
	for _, jb := range jobs {
		bc := cfg.Blocking
		if bc == nil {
			d := DefaultBlocking(ds[jb.A], cfg.Seed, Records(ds))
			bc = &d
		}
		var b *encoding.Dataset
		if !jb.Dedup() {
			b = subs[jb.B]
		}
		cands, _, err := blocking.CandidatesCompact(ctx, subs[jb.A], b, *bc, nil)
		if err != nil {
			return nil, fmt.Errorf("blocking %s × %s: %w", ds[jb.A].Meta.Partner, ds[jb.B].Meta.Partner, err)
		}
		blocked := cands.Len()
		// The exhaustive Dice pass of a small enough job adds each record's
		// best pairs: their number grows with the records, not their square.
		var diceOnly float64
		if cfg.DiceMaxPairs >= 0 && jb.Space(ds[jb.A].Len(), ds[jb.B].Len()) <= float64(cfg.DiceMaxPairs) {
			td := time.Now()
			dice, err := diceCandidates(ctx, subs[jb.A], subs[jb.B], jb.Dedup(), Config{Workers: cfg.Workers,
				DiceMaxPairs: math.MaxInt64, DiceThreshold: cfg.DiceThreshold, DiceTopK: cfg.DiceTopK})
			if err != nil {
				return nil, err
			}
			diceSeconds += time.Since(td).Seconds() / (p.SampleShare * p.SampleShare)
			_ = cands.Close()
			if cands, _, err = blocking.CandidatesCompact(ctx, subs[jb.A], b, *bc, dice); err != nil {
				return nil, err
			}
			diceOnly = float64(cands.Len()-blocked) / p.SampleShare
		}
		ts := time.Now()
		cmp, err := model.NewComparer(cmps, subs[jb.A], subs[jb.B])
		if err != nil {
			return nil, err
		}
		setupTime += time.Since(ts)
		tp := time.Now()
		j := &job{a: jb.A, b: jb.B, cands: *cands, cmp: cmp}
		if _, err := countPatterns(ctx, j, cfg.Workers); err != nil {
			return nil, err
		}
		pairTime += time.Since(tp)
		est := float64(blocked)/(p.SampleShare*p.SampleShare) + diceOnly
		p.Jobs = append(p.Jobs, JobPlan{A: ds[jb.A].Meta.Partner, B: ds[jb.B].Meta.Partner, Sampled: int64(cands.Len()), Candidates: est})
		p.Candidates += est
		largestJob = max(largestJob, est)
		_ = cands.Close()
	}
	p.SampleSeconds = time.Since(t0).Seconds()
	sampled := 0.0
	for _, j := range p.Jobs {
		sampled += float64(j.Sampled)
	}
	perPair := 0.0
	if sampled > 0 {
		perPair = pairTime.Seconds() / sampled
	}
	// The sample's pairs are too few to time one comparison (a few
	// thousand a partner pair: the fixed cost of counting each partner
	// pair's patterns dominates): time planTimedPairs comparisons of
	// random pairs of the largest partner pair's whole files instead,
	// whose memory accesses are those of the full run's.
	if t, err := planTimePairs(ds, jobs, cmps, cfg.Seed); err != nil {
		return nil, err
	} else if t > 0 {
		perPair = t / float64(max(cfg.Workers, 1))
	}
	// Work that grows with the records (blocking, the comparers' rows, and
	// reading, clustering and writing, planRecordWork times those) scales
	// with 1/share; the work per candidate pair with the pairs.
	// The exhaustive Dice pass of the small partner pairs compares the
	// sampled share of each side with the other's: share² of its work.
	p.BlockingSeconds = blockTime.Seconds()/p.SampleShare + diceSeconds
	p.RecordSeconds = planRecordWork*(blockTime+setupTime).Seconds()/p.SampleShare + diceSeconds
	p.PairSeconds = planPairWork * perPair * p.Candidates
	p.Seconds = p.RecordSeconds + p.PairSeconds
	live := float64(p.DatasetBytes) + planPairBytes*(p.Candidates+largestJob) + planBlockBuffers
	p.PeakBytes = int64(planHeapOverhead * live)
	return p, nil
}

// sampleRows returns the records of d kept with probability share (all of
// them at share 1), chosen by a PRNG seeded with seed, in their order.
func sampleRows(d *encoding.Dataset, share float64, seed uint64) *encoding.Dataset {
	if share >= 1 {
		return d
	}
	rng := rand.New(rand.NewPCG(seed, 0x706c_616e))
	var rows []int
	for i := range d.Len() {
		if rng.Float64() < share {
			rows = append(rows, i)
		}
	}
	out := &encoding.Dataset{Meta: d.Meta}
	out.RecordIDs = make([]string, len(rows))
	for k, i := range rows {
		out.RecordIDs[k] = d.RecordIDs[i]
	}
	arena := func(a bitvec.Arena) bitvec.Arena {
		s := bitvec.Arena{Words: a.Words, Data: make([]uint64, 0, len(rows)*a.Words)}
		for _, i := range rows {
			s.Data = append(s.Data, a.At(i)...)
		}
		return s
	}
	out.CLK = arena(d.CLK)
	for _, f := range d.Fields {
		c := encoding.FieldColumn{FieldSpec: f.FieldSpec, Filters: arena(f.Filters), Present: make([]bool, len(rows))}
		for k, i := range rows {
			c.Present[k] = f.Present[i]
		}
		out.Fields = append(out.Fields, c)
	}
	strs := func(cols []encoding.StringColumn) []encoding.StringColumn {
		var o []encoding.StringColumn
		for _, c := range cols {
			s := encoding.StringColumn{Name: c.Name, Values: make([]string, len(rows))}
			for k, i := range rows {
				s.Values[k] = c.Values[i]
			}
			o = append(o, s)
		}
		return o
	}
	out.BlockKeys, out.Attrs = strs(d.BlockKeys), strs(d.Attrs)
	return out
}

// planBlockTogether blocks the sampled datasets subs of every job at once,
// as Link does when the jobs share one blocking configuration (else one
// job at a time), and discards the pairs: what PlanLink times.
func planBlockTogether(ctx context.Context, ds, subs []*encoding.Dataset, jobs []Job, cfg Config) error {
	bc := cfg.Blocking
	if bc == nil && len(ds) > 0 {
		d := DefaultBlocking(ds[0], cfg.Seed, Records(ds))
		bc = &d
	}
	bjobs := make([]blocking.Job, len(jobs))
	for k, jb := range jobs {
		bjobs[k] = blocking.Job{A: jb.A, B: jb.B}
	}
	run := *bc
	if run.Workers == 0 {
		run.Workers = cfg.Workers
	}
	cands, _, err := blocking.CandidatesCompactMany(ctx, subs, bjobs, run, make([][]uint64, len(jobs)))
	if err != nil {
		return fmt.Errorf("blocking: %w", err)
	}
	for _, c := range cands {
		_ = c.Close()
	}
	return nil
}

// planTimePairs is the time of one comparison (model.Comparer.Key) of a
// random pair of records of the largest partner pair of ds, on one core,
// from planTimedPairs pairs (0 when there is no partner pair).
func planTimePairs(ds []*encoding.Dataset, jobs []Job, cmps []model.Comparison, seed uint64) (float64, error) {
	var big Job
	space := -1.0
	for _, jb := range jobs {
		if sp := jb.Space(ds[jb.A].Len(), ds[jb.B].Len()); sp > space {
			big, space = jb, sp
		}
	}
	na, nb := ds[big.A].Len(), ds[big.B].Len()
	if space <= 0 || na == 0 || nb == 0 {
		return 0, nil
	}
	cmp, err := model.NewComparer(cmps, ds[big.A], ds[big.B])
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x7061_6972))
	is, js := make([]int, planTimedPairs), make([]int, planTimedPairs)
	for k := range is {
		is[k], js[k] = rng.IntN(na), rng.IntN(nb)
	}
	var sink uint64
	t0 := time.Now()
	for k := range is {
		sink += cmp.Key(is[k], js[k])
	}
	el := time.Since(t0).Seconds()
	runtime.KeepAlive(sink) // keeps the loop from being optimised away
	return el / planTimedPairs, nil
}
