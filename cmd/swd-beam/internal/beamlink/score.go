package beamlink

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/model"
)

// fitFn fits the model once, from the pattern counts of the candidates
// (keyed by job, as sampleKey) and of each job's random sample
// (linkage.FitModel), and emits it as JSON.
type fitFn struct {
	Plan string
}

func (f *fitFn) ProcessElement(ctx context.Context, _ []byte, patterns func(*string, *int64) bool, samples func(*string, *int64) bool, emit func(string)) error {
	p, err := DecodePlan(f.Plan)
	if err != nil {
		return err
	}
	counts := model.PatternCounts{}
	var pk string
	var n int64
	for patterns(&pk, &n) {
		_, key := sampleOf(pk)
		counts.Add(key, n)
	}
	js := make([]linkage.JobSample, len(p.Jobs))
	for k, j := range p.Jobs {
		js[k].Space = j.Space(p.Partners[j.A].Rows, p.Partners[j.B].Rows)
	}
	var sk string
	for samples(&sk, &n) {
		k, pat := sampleOf(sk)
		if js[k].Patterns == nil {
			js[k].Patterns = model.PatternCounts{}
		}
		js[k].Patterns.Add(pat, n)
	}
	m, err := linkage.FitModel(ctx, p.Cmps, counts, js, p.config(), p.SessionCounts(ctx))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := m.Encode(&b); err != nil {
		return err
	}
	emit(b.String())
	return nil
}

// SessionCounts gives the model's fallback the blocked counts of its
// training sessions as swd link computes them (linkage.SessionCounts): a
// blocking on exact agreement of some fields over every pair of records,
// not only the candidates. It reads the partners' files, whole, on the
// worker that fits the model, and only when EM on the candidates does not
// find persons and the fallback asks (at a million records it did; on
// smaller linkages it seldom does).
func (p *Plan) SessionCounts(ctx context.Context) func(on []bool) (model.PatternCounts, error) {
	var (
		ds    = make([]*encoding.Dataset, len(p.Partners))
		sides = &model.SideCache{}
	)
	load := func(i int) (*encoding.Dataset, error) {
		if ds[i] != nil {
			return ds[i], nil
		}
		pt := p.Partners[i]
		local, done, err := Localize(ctx, pt.Path)
		if err != nil {
			return nil, err
		}
		defer done()
		d, err := encfile.Read(ctx, local)
		if err != nil {
			return nil, err
		}
		if d.Meta.Partner != pt.Name || d.Len() != pt.Rows {
			return nil, fmt.Errorf("%s: changed since the linkage was planned", pt.Path)
		}
		ds[i] = d
		return d, nil
	}
	comparer := func(k int) (*model.Comparer, error) {
		j := p.Jobs[k]
		a, err := load(j.A)
		if err != nil {
			return nil, err
		}
		b, err := load(j.B)
		if err != nil {
			return nil, err
		}
		return model.NewComparerShared(p.Cmps, a, b, sides)
	}
	return linkage.SessionCounts(ctx, len(p.Jobs), comparer, p.config())
}

// priorsFn computes the prior weight of every job from the model and the
// job's own candidate patterns (linkage.JobPrior, as Link does) and emits
// them as JSON, in job order.
type priorsFn struct {
	Plan string
}

func (f *priorsFn) ProcessElement(_ []byte, modelJSON string, patterns func(*string, *int64) bool, emit func(string)) error {
	p, err := DecodePlan(f.Plan)
	if err != nil {
		return err
	}
	m, err := model.Decode(strings.NewReader(modelJSON), "model")
	if err != nil {
		return err
	}
	counts := make([]model.PatternCounts, len(p.Jobs))
	var pk string
	var n int64
	for patterns(&pk, &n) {
		k, key := sampleOf(pk)
		if counts[k] == nil {
			counts[k] = model.PatternCounts{}
		}
		counts[k].Add(key, n)
	}
	priors := make([]float64, len(p.Jobs))
	for k, j := range p.Jobs {
		priors[k] = linkage.JobPrior(m, counts[k], j.Space(p.Partners[j.A].Rows, p.Partners[j.B].Rows))
	}
	b, err := json.Marshal(priors)
	if err != nil {
		return err
	}
	emit(string(b))
	return nil
}

// weigher weighs pairs of records as linkage.Link does: the model's match
// weight with the term-frequency adjustments, plus the prior of the pair's
// job; ok is false for two partners that are not compared.
type weigher struct {
	m      *model.Model
	priors []float64
	jobs   map[[2]int]int
	totals map[[2]int]int64
	sumSq  map[string]float64
}

// newWeigher reads the side inputs of a scoring stage.
func newWeigher(p *Plan, modelJSON, priorsJSON string, totals, sumSq func(*string, *int64) bool) (*weigher, error) {
	m, err := model.Decode(strings.NewReader(modelJSON), "model")
	if err != nil {
		return nil, err
	}
	w := &weigher{m: m, jobs: p.jobIndex(), totals: readTotals(totals), sumSq: readSumSq(sumSq)}
	if err := json.Unmarshal([]byte(priorsJSON), &w.priors); err != nil || len(w.priors) != len(p.Jobs) {
		return nil, fmt.Errorf("beamlink: the priors of the jobs do not match the plan")
	}
	return w, nil
}

// weight is the posterior log2-odds of pattern key between partners pa ≤
// pb, freq the frequencies of the agreed term-frequency values (Plan.freqs).
func (v *weigher) weight(key uint64, pa, pb int, freq []int64) (float64, bool) {
	k, ok := v.jobs[[2]int{pa, pb}]
	if !ok {
		return 0, false
	}
	w := v.m.WeightTF(key, func(fd int) (float64, bool) {
		if freq == nil || freq[fd] == 0 {
			return 0, false
		}
		total := v.totals[[2]int{pa, fd}]
		if pb != pa {
			total += v.totals[[2]int{pb, fd}]
		}
		return model.TFAdjustment(freq[fd], total, v.sumSq[sumSqKey(fd, pa, pb)]), true
	})
	return w + v.priors[k], true
}

// probability is the posterior of posterior log2-odds w, as Link computes it.
func probability(w float64) float64 { return 1 / (1 + math.Exp2(-w)) }

// Edge is a scored pair at or above the threshold.
type Edge struct {
	A, B        uint64
	Weight      float64 // posterior log2-odds (match weight + prior)
	Probability float64
}

// ScoreStat sums what the linkage report says about one job's candidates
// (see linkage.JobScores): the weight histogram and the posterior sums.
type ScoreStat struct {
	Pairs    []float64 // per linkage.HistogramBin
	Expected []float64
	Accepted int64
	SumP     float64 // Σ posterior over the candidates
	SumAcc   float64 // Σ posterior over the accepted ones
}

func addScoreStat(a, b ScoreStat) ScoreStat {
	if a.Pairs == nil {
		a.Pairs, a.Expected = make([]float64, linkage.HistogramBins), make([]float64, linkage.HistogramBins)
	} else {
		a.Pairs, a.Expected = slices.Clone(a.Pairs), slices.Clone(a.Expected)
	}
	for i := range b.Pairs {
		a.Pairs[i] += b.Pairs[i]
		a.Expected[i] += b.Expected[i]
	}
	a.Accepted += b.Accepted
	a.SumP += b.SumP
	a.SumAcc += b.SumAcc
	return a
}

// scoreFn scores each candidate of a packet with the model, the jobs'
// priors and the term-frequency figures (side inputs), emits the edges (by
// the bucket of their first record) and sums the report's figures per job.
type scoreFn struct {
	Plan string

	plan *Plan
	w    *weigher
	jobs map[[2]int]int
}

func (f *scoreFn) Setup() error {
	var err error
	f.plan, err = DecodePlan(f.Plan)
	if err == nil {
		f.jobs = f.plan.jobIndex()
	}
	return err
}

func (f *scoreFn) ProcessElement(packet []byte, modelJSON, priorsJSON string, totals, sumSq func(*string, *int64) bool, emit func(int, []byte), emitStat func(int, ScoreStat)) error {
	if f.w == nil {
		var err error
		if f.w, err = newWeigher(f.plan, modelJSON, priorsJSON, totals, sumSq); err != nil {
			return err
		}
	}
	edges := newPacker(kindEdge, emit)
	stats := map[int]*ScoreStat{}
	score := func(c *Compared) {
		pa, pb := partnerOf(c.A), partnerOf(c.B)
		w, _ := f.w.weight(c.Pattern, pa, pb, c.Freq)
		prob := probability(w)
		j := f.jobs[[2]int{pa, pb}]
		st, ok := stats[j]
		if !ok {
			st = &ScoreStat{Pairs: make([]float64, linkage.HistogramBins), Expected: make([]float64, linkage.HistogramBins)}
			stats[j] = st
		}
		bin := linkage.HistogramBin(w)
		st.Pairs[bin]++
		st.Expected[bin] += prob
		st.SumP += prob
		if prob >= f.plan.Threshold {
			st.Accepted++
			st.SumAcc += prob
			e := Edge{A: c.A, B: c.B, Weight: w, Probability: prob}
			edges.add(f.plan.bucket(e.A), func(b []byte) []byte { return appendEdge(b, &e) })
		}
	}
	err := readPacket(packet, func(_ kind, b []byte) error {
		d := decoder{b: b}
		d.comparedRun(func(c *Compared) { score(c) })
		return d.done()
	})
	if err != nil {
		return err
	}
	edges.flush()
	for j, st := range stats {
		emitStat(j, *st)
	}
	return nil
}

// readTotals reads the present values of each term-frequency field per
// partner, keyed "partner/comparison".
func readTotals(totals func(*string, *int64) bool) map[[2]int]int64 {
	out := map[[2]int]int64{}
	var k string
	var n int64
	for totals(&k, &n) {
		ps, cs, _ := strings.Cut(k, "/")
		p, _ := strconv.Atoi(ps)
		c, _ := strconv.Atoi(cs)
		out[[2]int{p, c}] += n
	}
	return out
}

// pairWeigher weighs two records of a component on demand, as
// linkage.Link's clustering does: for the veto (posterior log2-odds below
// VetoWeight) and for the pairs of a contested component that were not
// candidates.
type pairWeigher struct {
	plan *Plan
	w    *weigher
	rc   *model.RecordComparer
}

func (v *pairWeigher) weight(a, b *Rec) (float64, bool) {
	if partnerOf(a.Ref) > partnerOf(b.Ref) {
		a, b = b, a
	}
	key := v.rc.Key(a.Fields, b.Fields)
	pa, pb := partnerOf(a.Ref), partnerOf(b.Ref)
	return v.w.weight(key, pa, pb, v.plan.freqs(a, pb, key))
}

func (v *pairWeigher) veto(a, b *Rec) bool {
	w, ok := v.weight(a, b)
	return ok && w < v.plan.VetoWeight
}
