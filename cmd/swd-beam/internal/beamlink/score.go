package beamlink

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/model"
)

// fitFn fits the model once, from the summed pattern counts of the
// candidates and of each job's random sample (linkage.FitModel), and emits
// it as JSON.
type fitFn struct {
	Plan string
}

func (f *fitFn) ProcessElement(ctx context.Context, _ []byte, patterns func(*uint64, *int64) bool, samples func(*string, *int64) bool, emit func(string)) error {
	p, err := DecodePlan(f.Plan)
	if err != nil {
		return err
	}
	counts := model.PatternCounts{}
	var key uint64
	var n int64
	for patterns(&key, &n) {
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
	m, err := linkage.FitModel(ctx, p.Cmps, counts, js, p.config(), nil)
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

// scoreFn scores each candidate of a packet with the model (a side input)
// and the totals of the term-frequency fields, emits the edges (by the
// bucket of their first record) and sums the report's figures per job.
type scoreFn struct {
	Plan string

	plan   *Plan
	model  *model.Model
	totals map[[2]int]int64
	jobs   map[[2]int]int
}

func (f *scoreFn) Setup() error {
	var err error
	f.plan, err = DecodePlan(f.Plan)
	f.jobs = f.plan.jobIndex()
	return err
}

func (f *scoreFn) ProcessElement(packet []byte, modelJSON string, totals func(*string, *int64) bool, emit func(int, []byte), emitStat func(int, ScoreStat)) error {
	if f.model == nil {
		var err error
		if f.model, err = model.Decode(strings.NewReader(modelJSON), "model"); err != nil {
			return err
		}
		f.totals = readTotals(totals)
	}
	m := f.model
	edges := newPacker(kindEdge, emit)
	stats := map[int]*ScoreStat{}
	var c Compared
	err := readPacket(packet, func(_ kind, b []byte) error {
		d := decoder{b: b}
		d.compared(&c)
		if err := d.done(); err != nil {
			return err
		}
		pa, pb := partnerOf(c.A), partnerOf(c.B)
		w := m.WeightTF(c.Pattern, func(fd int) (float64, bool) {
			if c.Freq == nil || c.Freq[fd] == 0 {
				return 0, false
			}
			total := f.totals[[2]int{pa, fd}]
			if pb != pa {
				total += f.totals[[2]int{pb, fd}]
			}
			return m.TFWeight(fd, c.Freq[fd], total), true
		})
		prob := m.Probability(w)
		j := f.jobs[[2]int{pa, pb}]
		st, ok := stats[j]
		if !ok {
			st = &ScoreStat{Pairs: make([]float64, linkage.HistogramBins), Expected: make([]float64, linkage.HistogramBins)}
			stats[j] = st
		}
		bin := linkage.HistogramBin(w + m.PriorWeight())
		st.Pairs[bin]++
		st.Expected[bin] += prob
		st.SumP += prob
		if prob >= f.plan.Threshold {
			st.Accepted++
			st.SumAcc += prob
			e := Edge{A: c.A, B: c.B, Weight: w + m.PriorWeight(), Probability: prob}
			edges.add(f.plan.bucket(e.A), func(b []byte) []byte { return appendEdge(b, &e) })
		}
		return nil
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

// vetoer calls two records a certain non-match, as linkage.Link's veto
// does: posterior log2-odds below VetoWeight.
type vetoer struct {
	plan   *Plan
	m      *model.Model
	rc     *model.RecordComparer
	totals map[[2]int]int64
}

func (v *vetoer) veto(a, b *Rec) bool {
	if partnerOf(a.Ref) > partnerOf(b.Ref) {
		a, b = b, a
	}
	key := v.rc.Key(a.Fields, b.Fields)
	pa, pb := partnerOf(a.Ref), partnerOf(b.Ref)
	freq := v.plan.freqs(a, pb, key)
	w := v.m.WeightTF(key, func(fd int) (float64, bool) {
		if freq == nil || freq[fd] == 0 {
			return 0, false
		}
		total := v.totals[[2]int{pa, fd}]
		if pb != pa {
			total += v.totals[[2]int{pb, fd}]
		}
		return v.m.TFWeight(fd, freq[fd], total), true
	})
	return w+v.m.PriorWeight() < v.plan.VetoWeight
}
