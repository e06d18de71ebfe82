package linkage

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/model"
)

// ConfidentialNotice heads every linkage report (the first line of the
// HTML page, the first field of the JSON): the report's counts are exact,
// not differentially private, so it stays with the linkage unit.
const ConfidentialNotice = "CONFIDENTIAL to the linkage unit: this report holds exact counts " +
	"(records, persons and households per partner and per pair of partners), not protected by " +
	"differential privacy. Do not publish it or pass it on; publish only through swd publish."

// Report describes a linkage run and estimates its quality without ground
// truth, from the model's posterior probabilities (as Splink's charts do).
// It holds counts and model parameters only, never a record; the counts
// are exact, so the report is confidential to the linkage unit (Notice).
type Report struct {
	// Notice is ConfidentialNotice, first so that it opens the JSON.
	Notice          string           `json:"notice"`
	CodeVersion     string           `json:"code_version,omitempty"`
	Created         time.Time        `json:"created"`
	Threshold       float64          `json:"threshold"`
	Partners        []PartnerSummary `json:"partners"`
	Pairs           []PairSummary    `json:"partner_pairs"`
	Model           *model.Model     `json:"model"`
	WeightHistogram []HistBin        `json:"weight_histogram"`
	Expected        Expected         `json:"expected"`
	// ExpectedLinks is the quality expected of the accepted links
	// themselves (pairs at or above the threshold among the candidates),
	// before clustering: what Expected was before it described persons.
	ExpectedLinks Expected `json:"expected_links"`
	// ThresholdCurve is the expected quality of the links (as
	// ExpectedLinks) for thresholds at every whole match weight: the
	// chart to choose a threshold without ground truth.
	ThresholdCurve []ThresholdPoint `json:"threshold_curve"`
	ClusterSizes   []SizeCount      `json:"cluster_sizes"`   // records per person
	HouseholdSizes []SizeCount      `json:"household_sizes"` // persons per household
	Clusters       cluster.Stats    `json:"clusters"`
	// HouseholdErrors estimates how often true households are split or
	// merged (the unit of the DP guarantee is the linked household).
	HouseholdErrors HouseholdErrors    `json:"household_errors"`
	Timings         map[string]float64 `json:"timings"`
	// Spill is set when candidates did not fit in Config.MemoryLimit and
	// were written to disk.
	Spill *SpillStats `json:"spill,omitempty"`

	expectedAll float64 // Σ posterior over all candidates
	missed      float64 // expected true pairs blocking could not propose
}

// PartnerSummary counts one partner's records in the result.
type PartnerSummary struct {
	Partner    string `json:"partner"`
	Records    int    `json:"records"`
	Linked     int    `json:"linked"`     // records in a person with other records
	OnlyHere   int    `json:"only_here"`  // persons known to this partner alone
	Households int    `json:"households"` // households with a record of this partner
}

// PairSummary describes the comparison of two partners (A == B: duplicates
// inside one partner).
type PairSummary struct {
	A              string         `json:"a"`
	B              string         `json:"b"`
	Candidates     int64          `json:"candidates"`
	ReductionRatio float64        `json:"reduction_ratio"`
	Blocking       blocking.Stats `json:"blocking"`
	AboveThreshold int64          `json:"above_threshold"`  // candidate pairs at or above the threshold
	ExpectedLinks  float64        `json:"expected_matches"` // Σ posterior over all candidates
	SharedPersons  int            `json:"shared_persons"`   // persons with records at both (A == B: persons with several records of A)
}

// HistBin is one bin of the match-weight histogram (weights include the
// prior, so 0 is a posterior of 0.5): the pairs with Lo ≤ weight < Hi. The
// first bin is open below (OpenBelow: it also holds every weight under
// Lo) and the last open above (OpenAbove: every weight from Hi on).
type HistBin struct {
	Lo         float64 `json:"lo"`
	Hi         float64 `json:"hi"`
	OpenBelow  bool    `json:"open_below,omitempty"`
	OpenAbove  bool    `json:"open_above,omitempty"`
	Pairs      int64   `json:"pairs"`
	Expected   float64 `json:"expected_matches"`     // Σ posterior of the bin's pairs
	NonMatches float64 `json:"expected_non_matches"` // Σ (1 − posterior): Pairs − Expected
}

// ThresholdPoint is the expected quality of the links at one threshold.
type ThresholdPoint struct {
	Weight    float64 `json:"weight"`    // the threshold as a match weight (log₂ posterior odds)
	Threshold float64 `json:"threshold"` // the same as a posterior probability
	Accepted  int64   `json:"accepted_pairs"`
	Matches   float64 `json:"expected_matches"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// Expected holds the quality expected from the posterior probabilities,
// without ground truth.
//
// In Report.Expected it describes the persons as swd eval measures them
// (pairs of records in one person): Accepted is the number of such pairs,
// Matches the sum of their probabilities of being one person, precision
// Matches/Accepted, recall Matches/TruePairs. A pair's probability is the
// largest of its own posterior and the product of posteriors along the
// strongest chain of pairs joining it within the person. TruePairs, the
// expected number of pairs of records of one person, is the sum of the
// posteriors of every candidate pair and of the pairs placed together
// that were not candidates, plus MissedByBlocking: the true pairs
// expected among the pairs blocking could not propose, whose identifying
// fields (the anchors, sex aside) are all missing or incomparable on one
// side or the other, estimated per pair of partners from how often random
// pairs are so (see missedByBlocking).
//
// In Report.ExpectedLinks it describes the accepted links: precision =
// Σp/n over the candidate pairs at or above the threshold, recall =
// Σp(accepted)/Σp(all candidates).
type Expected struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Accepted  int64   `json:"accepted_pairs"`
	Matches   float64 `json:"expected_matches"`
	// TruePairs and MissedByBlocking: see above (persons only).
	TruePairs        float64 `json:"expected_true_pairs,omitempty"`
	MissedByBlocking float64 `json:"expected_missed_by_blocking,omitempty"`
}

// SizeCount is one bar of a size distribution.
type SizeCount struct {
	Size  int `json:"size"`
	Count int `json:"count"`
}

const (
	histLo = -40
	histHi = 40
)

// scoreHist accumulates the posterior statistics of scored pairs.
type scoreHist struct {
	threshold    float64
	bins         []HistBin
	n, accepted  int64
	sumP, sumAcc float64
	sumUnident   float64 // Σ posterior of pairs whose identifying fields are all missing
}

func newScoreHist(threshold float64) *scoreHist {
	h := &scoreHist{threshold: threshold}
	for lo := histLo; lo < histHi; lo++ {
		h.bins = append(h.bins, HistBin{Lo: float64(lo), Hi: float64(lo + 1)})
	}
	h.bins[0].OpenBelow, h.bins[len(h.bins)-1].OpenAbove = true, true
	return h
}

func (h *scoreHist) add(weight, p float64) {
	b := int(math.Floor(weight)) - histLo
	b = min(max(b, 0), len(h.bins)-1)
	h.bins[b].Pairs++
	h.bins[b].Expected += p
	h.bins[b].NonMatches += 1 - p
	h.n++
	h.sumP += p
	if p >= h.threshold {
		h.accepted++
		h.sumAcc += p
	}
}

func newReport(ds []*encoding.Dataset, cfg Config) *Report {
	r := &Report{Notice: ConfidentialNotice, Created: time.Now().UTC(), Threshold: cfg.Threshold, Timings: map[string]float64{}}
	r.WeightHistogram = newScoreHist(cfg.Threshold).bins
	for _, d := range ds {
		r.Partners = append(r.Partners, PartnerSummary{Partner: d.Meta.Partner, Records: d.Len()})
	}
	return r
}

func (r *Report) addBlocking(ds []*encoding.Dataset, jobs []*job) {
	for _, j := range jobs {
		a, b := ds[j.a], ds[j.b]
		ps := PairSummary{A: a.Meta.Partner, B: b.Meta.Partner, Candidates: int64(j.cands.Len()), Blocking: j.stats}
		if j.dedup() {
			ps.ReductionRatio = blocking.ReductionRatioDedup(ps.Candidates, a.Len())
		} else {
			ps.ReductionRatio = blocking.ReductionRatio(ps.Candidates, a.Len(), b.Len())
		}
		r.Pairs = append(r.Pairs, ps)
	}
}

// SpillStats says how much of the candidates Link wrote to disk because
// they did not fit in its memory limit.
type SpillStats struct {
	Jobs  int   `json:"jobs"`  // partner pairs whose candidates were spilled
	Bytes int64 `json:"bytes"` // bytes written
}

func (r *Report) pair(a, b string) *PairSummary {
	for i := range r.Pairs {
		if r.Pairs[i].A == a && r.Pairs[i].B == b {
			return &r.Pairs[i]
		}
	}
	return nil
}

func (r *Report) addScores(a, b string, h *scoreHist) {
	if h == nil {
		return
	}
	for i := range h.bins {
		r.WeightHistogram[i].Pairs += h.bins[i].Pairs
		r.WeightHistogram[i].Expected += h.bins[i].Expected
		r.WeightHistogram[i].NonMatches += h.bins[i].NonMatches
	}
	if p := r.pair(a, b); p != nil {
		p.AboveThreshold += h.accepted
		p.ExpectedLinks += h.sumP
	}
	r.ExpectedLinks.Accepted += h.accepted
	r.ExpectedLinks.Matches += h.sumAcc
	r.expectedAll += h.sumP
}

// finish fills in the model, the expected quality and the cluster figures;
// persons is the expected quality of the persons (see Expected), without
// its recall, which finish computes.
func (r *Report) finish(m *model.Model, links []cluster.Link, stats cluster.Stats, persons Expected) {
	r.Model = m
	r.Clusters = stats
	e := &r.ExpectedLinks
	if e.Accepted > 0 {
		e.Precision = e.Matches / float64(e.Accepted)
	}
	if r.expectedAll > 0 {
		e.Recall = e.Matches / r.expectedAll
	}
	e.F1 = f1(e.Precision, e.Recall)
	r.Expected = persons
	r.Expected.MissedByBlocking = r.missed
	r.Expected.TruePairs += r.expectedAll + r.missed
	if persons.Accepted > 0 {
		r.Expected.Precision = persons.Matches / float64(persons.Accepted)
	} else {
		r.Expected.Precision = 1
	}
	if r.Expected.TruePairs > 0 {
		r.Expected.Recall = min(1, persons.Matches/r.Expected.TruePairs)
	} else {
		r.Expected.Recall = 1
	}
	r.Expected.F1 = f1(r.Expected.Precision, r.Expected.Recall)
	r.ThresholdCurve = thresholdCurve(r.WeightHistogram, r.expectedAll)
	r.trimHistogram()
	r.addClusterFigures(links)
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Thresholds of the curve: whole match weights in [curveLo, curveHi].
const (
	curveLo = -10
	curveHi = 20
)

// thresholdCurve is the expected quality of the links at thresholds at the
// whole match weights (the histogram's bin edges), from the histogram:
// precision Σp/n over the bins at or above, recall Σp over them / all.
func thresholdCurve(hist []HistBin, all float64) []ThresholdPoint {
	var out []ThresholdPoint
	for k := curveHi; k >= curveLo; k-- {
		var n int64
		var sum float64
		for _, b := range hist {
			if b.Lo >= float64(k) {
				n += b.Pairs
				sum += b.Expected
			}
		}
		pt := ThresholdPoint{Weight: float64(k), Threshold: 1 / (1 + math.Exp2(-float64(k))), Accepted: n, Matches: sum, Precision: 1, Recall: 1}
		if n > 0 {
			pt.Precision = sum / float64(n)
		}
		if all > 0 {
			pt.Recall = sum / all
		}
		pt.F1 = f1(pt.Precision, pt.Recall)
		out = append(out, pt)
	}
	slices.Reverse(out)
	return out
}

func (r *Report) trimHistogram() {
	lo, hi := 0, len(r.WeightHistogram)
	for lo < hi && r.WeightHistogram[lo].Pairs == 0 {
		lo++
	}
	for hi > lo && r.WeightHistogram[hi-1].Pairs == 0 {
		hi--
	}
	r.WeightHistogram = r.WeightHistogram[lo:hi]
}

func (r *Report) addClusterFigures(links []cluster.Link) {
	partnersOf := map[int64]map[string]int{} // cluster → partner → records
	personsOf := map[int64]map[int64]bool{}  // household → clusters
	householdsOf := map[string]map[int64]bool{}
	for _, l := range links {
		if partnersOf[l.ClusterID] == nil {
			partnersOf[l.ClusterID] = map[string]int{}
		}
		partnersOf[l.ClusterID][l.Partner]++
		if personsOf[l.HouseholdID] == nil {
			personsOf[l.HouseholdID] = map[int64]bool{}
		}
		personsOf[l.HouseholdID][l.ClusterID] = true
		if householdsOf[l.Partner] == nil {
			householdsOf[l.Partner] = map[int64]bool{}
		}
		householdsOf[l.Partner][l.HouseholdID] = true
	}
	sizes := map[int]int{}
	for _, ps := range partnersOf {
		n := 0
		for _, c := range ps {
			n += c
		}
		sizes[n]++
		for i := range r.Partners {
			p := &r.Partners[i]
			if c := ps[p.Partner]; c > 0 {
				if n > 1 {
					p.Linked += c
				}
				if len(ps) == 1 {
					p.OnlyHere++
				}
			}
		}
		for i := range r.Pairs {
			pp := &r.Pairs[i]
			if pp.A == pp.B && ps[pp.A] > 1 || pp.A != pp.B && ps[pp.A] > 0 && ps[pp.B] > 0 {
				pp.SharedPersons++
			}
		}
	}
	for i := range r.Partners {
		r.Partners[i].Households = len(householdsOf[r.Partners[i].Partner])
	}
	r.ClusterSizes = sizeCounts(sizes)
	hs := map[int]int{}
	for _, cl := range personsOf {
		hs[len(cl)]++
	}
	r.HouseholdSizes = sizeCounts(hs)
}

func sizeCounts(m map[int]int) []SizeCount {
	out := make([]SizeCount, 0, len(m))
	for s, c := range m {
		out = append(out, SizeCount{Size: s, Count: c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Size < out[j].Size })
	return out
}
