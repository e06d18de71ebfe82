package beamlink

import (
	"context"
	"encoding/binary"

	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/model"
)

// tfCountFn counts, for one value of one term-frequency field (a filter
// hash), how many records of each partner hold it, and hands the counts to
// each of those records.
type tfCountFn struct {
	Partners int
}

// TFItem is the counts of a record's value of comparison Cmp, per partner.
type TFItem struct {
	Cmp    int
	Counts []int64
}

func (f *tfCountFn) ProcessElement(key string, refs func(*uint64) bool, emit func(uint64, TFItem)) {
	counts := make([]int64, f.Partners)
	var all []uint64
	var r uint64
	for refs(&r) {
		counts[partnerOf(r)]++
		all = append(all, r)
	}
	c := tfCmp(key)
	for _, r := range all {
		emit(r, TFItem{Cmp: c, Counts: counts})
	}
}

// attachTFFn joins a record with the counts of its values.
func attachTFFn(ref uint64, recs func(*Rec) bool, tfs func(*TFItem) bool, emit func(uint64, Rec)) {
	var r Rec
	if !recs(&r) {
		return
	}
	var t TFItem
	for tfs(&t) {
		if r.Counts == nil {
			r.Counts = make([][]int64, len(r.Fields))
		}
		r.Counts[t.Cmp] = t.Counts
	}
	emit(ref, r)
}

// Req asks for a pair (this record, Other): Job −1 for a candidate, or the
// job whose random sample drew it.
type Req struct {
	Other uint64
	Job   int32
}

// Sources of a candidate pair, or-ed over its occurrences.
const (
	fromBlocks = 1
	fromDice   = 2
)

func blockSource(k string) (string, int) { return k, fromBlocks }
func diceSource(k string) (string, int)  { return k, fromDice }
func orInt(a, b int) int                 { return a | b }

// candidateReqFn asks for each distinct candidate pair, and counts per job
// the pairs blocking found (the report's blocking candidates, before the
// Dice pass is added).
type candidateReqFn struct {
	Plan string

	jobs map[[2]int]int
}

func (f *candidateReqFn) Setup() error {
	p, err := DecodePlan(f.Plan)
	if err != nil {
		return err
	}
	f.jobs = p.jobIndex()
	return nil
}

func (f *candidateReqFn) ProcessElement(k string, sources int, emit func(uint64, Req), emitBlocked func(int, int64)) {
	a, b := pairOf(k)
	emit(a, Req{Other: b, Job: -1})
	if sources&fromBlocks != 0 {
		emitBlocked(f.jobs[[2]int{partnerOf(a), partnerOf(b)}], 1)
	}
}

// sampleFn draws the random pairs of job k exactly as linkage.Link does
// (linkage.USample, model.SamplePairs).
type sampleFn struct {
	Plan string
}

func (f *sampleFn) ProcessElement(k int, emit func(uint64, Req)) error {
	p, err := DecodePlan(f.Plan)
	if err != nil {
		return err
	}
	n, seed, na, nb := p.sample(k)
	if n == 0 {
		return nil
	}
	j := p.Jobs[k]
	for i, jj := range model.SamplePairs(na, nb, j.Dedup(), n, seed) {
		emit(Ref(j.A, i), Req{Other: Ref(j.B, jj), Job: int32(k)})
	}
	return nil
}

// sample is the size and seed of job k's random sample, and its sides.
func (p *Plan) sample(k int) (n int, seed uint64, na, nb int) {
	var total float64
	for _, j := range p.Jobs {
		total += j.Space(p.Partners[j.A].Rows, p.Partners[j.B].Rows)
	}
	j := p.Jobs[k]
	na, nb = p.Partners[j.A].Rows, p.Partners[j.B].Rows
	n, seed = linkage.USample(k, j.Space(na, nb), total, p.config())
	return n, seed, na, nb
}

// firstHalfFn sends a record's filters to the other record of each of its
// pairs.
func firstHalfFn(ref uint64, recs func(*Rec) bool, reqs func(*Req) bool, emit func(uint64, Half)) {
	var r Rec
	if !recs(&r) {
		return
	}
	r.ID, r.Household = "", ""
	var q Req
	for reqs(&q) {
		emit(q.Other, Half{Job: q.Job, A: r})
	}
}

// Compared is a candidate pair with its agreement pattern and, for each
// term-frequency comparison at its exact level, the frequency of the
// agreed value among the pair's two partners (0 otherwise).
type Compared struct {
	A, B    uint64
	Pattern uint64
	Freq    []int64
}

// compareFn computes the pattern of every pair that reaches its second
// record: candidates go on to the scoring, random pairs to the u sample.
type compareFn struct {
	Plan string

	plan *Plan
	rc   *model.RecordComparer
}

func (f *compareFn) Setup() error {
	var err error
	if f.plan, err = DecodePlan(f.Plan); err != nil {
		return err
	}
	f.rc, err = model.NewRecordComparer(f.plan.Cmps)
	return err
}

func (f *compareFn) ProcessElement(_ context.Context, ref uint64, recs func(*Rec) bool, halves func(*Half) bool,
	emitCand func(Compared), emitSample func(string, int64)) {
	var b Rec
	if !recs(&b) {
		return
	}
	var h Half
	for halves(&h) {
		key := f.rc.Key(h.A.Fields, b.Fields)
		if h.Job >= 0 {
			emitSample(sampleKey(int(h.Job), key), 1)
			continue
		}
		emitCand(Compared{A: h.A.Ref, B: ref, Pattern: key, Freq: f.plan.freqs(&h.A, partnerOf(ref), key)})
	}
}

// freqs returns, for each term-frequency comparison at its exact level in
// pattern key, how often a's value occurs in a's and b's partners (in a's
// partner alone when they are the same), as model.Scorer counts it.
func (p *Plan) freqs(a *Rec, pb int, key uint64) []int64 {
	if p.NoTF || a.Counts == nil {
		return nil
	}
	var out []int64
	pa := partnerOf(a.Ref)
	rest := key
	for c, cmp := range p.Cmps {
		n := uint64(cmp.Levels())
		l := int(rest % n)
		rest /= n
		if !cmp.TF || l != cmp.ExactLevel() || a.Counts[c] == nil {
			continue
		}
		if out == nil {
			out = make([]int64, len(p.Cmps))
		}
		out[c] = a.Counts[c][pa]
		if pb != pa {
			out[c] += a.Counts[c][pb]
		}
	}
	return out
}

func sampleKey(job int, pattern uint64) string {
	b := binary.BigEndian.AppendUint32(nil, uint32(job))
	return string(binary.BigEndian.AppendUint64(b, pattern))
}

func sampleOf(k string) (job int, pattern uint64) {
	return int(binary.BigEndian.Uint32([]byte(k[:4]))), binary.BigEndian.Uint64([]byte(k[4:]))
}

func patternOf(c Compared) (uint64, int64) { return c.Pattern, 1 }

func sumInt64(a, b int64) int64 { return a + b }
