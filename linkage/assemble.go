package linkage

import (
	"math"
	"time"

	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/model"
)

// HistogramBins is the number of bins of Report.WeightHistogram before
// trimming; HistogramBin says which one a posterior log2-odds falls in. A
// runner that scores pairs in parts (swd-beam) sums its bins with these and
// hands them to AssembleReport.
const HistogramBins = histHi - histLo

// HistogramBin is the bin of weight (match weight plus prior).
func HistogramBin(weight float64) int {
	return min(max(int(math.Floor(weight))-histLo, 0), HistogramBins-1)
}

// JobScores are the scoring figures of one job, summed over its candidates:
// Pairs and Expected per histogram bin, the pairs at or above the
// threshold, and the sums of the posterior over all candidates and over the
// accepted ones.
type JobScores struct {
	Pairs, Expected []float64 // per bin; Pairs holds counts
	Accepted        int64
	SumP, SumAcc    float64
}

// ReportParts are the figures of a linkage computed elsewhere than by Link,
// for AssembleReport.
type ReportParts struct {
	Threshold float64
	Partners  []string // in dataset order
	Records   []int    // per partner
	Jobs      []Job
	// Candidates and Blocking per job.
	Candidates []int64
	Blocking   []blocking.Stats
	Scores     []JobScores // per job
	Model      *model.Model
	Links      []cluster.Link
	Stats      cluster.Stats
	Timings    map[string]float64
	// Persons is the expected quality of the persons (Report.Expected,
	// without its recall, which AssembleReport computes); nil: that of the
	// accepted links stands in for it, as Report.Expected held before the
	// persons were scored pair by pair.
	Persons *Expected
}

// AssembleReport builds the Report Link would write for the same figures.
func AssembleReport(p ReportParts) *Report {
	r := &Report{Created: time.Now().UTC(), Threshold: p.Threshold, Timings: p.Timings}
	if r.Timings == nil {
		r.Timings = map[string]float64{}
	}
	r.WeightHistogram = newScoreHist(p.Threshold).bins
	for k, name := range p.Partners {
		r.Partners = append(r.Partners, PartnerSummary{Partner: name, Records: p.Records[k]})
	}
	for k, j := range p.Jobs {
		ps := PairSummary{A: p.Partners[j.A], B: p.Partners[j.B], Candidates: p.Candidates[k], Blocking: p.Blocking[k]}
		if j.Dedup() {
			ps.ReductionRatio = blocking.ReductionRatioDedup(ps.Candidates, p.Records[j.A])
		} else {
			ps.ReductionRatio = blocking.ReductionRatio(ps.Candidates, p.Records[j.A], p.Records[j.B])
		}
		r.Pairs = append(r.Pairs, ps)
	}
	for k, j := range p.Jobs {
		s := p.Scores[k]
		h := &scoreHist{threshold: p.Threshold, bins: newScoreHist(p.Threshold).bins, accepted: s.Accepted, sumP: s.SumP, sumAcc: s.SumAcc}
		for b := range h.bins {
			if b < len(s.Pairs) {
				h.bins[b].Pairs = int64(s.Pairs[b])
				h.bins[b].Expected = s.Expected[b]
			}
		}
		r.addScores(p.Partners[j.A], p.Partners[j.B], h)
	}
	persons := Expected{Accepted: r.ExpectedLinks.Accepted, Matches: r.ExpectedLinks.Matches}
	if p.Persons != nil {
		persons = *p.Persons
	}
	r.finish(p.Model, p.Links, p.Stats, persons)
	return r
}
