package linkage

import (
	"cmp"
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

// merge adds the figures of o.
func (h *scoreHist) merge(o *scoreHist) {
	for i := range h.bins {
		h.bins[i].Pairs += o.bins[i].Pairs
		h.bins[i].Expected += o.bins[i].Expected
		h.bins[i].NonMatches += o.bins[i].NonMatches
	}
	h.n += o.n
	h.accepted += o.accepted
	h.sumP += o.sumP
	h.sumAcc += o.sumAcc
	h.sumUnident += o.sumUnident
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

// addClusterFigures adds the persons' and households' figures: records
// linked and persons known to one partner alone per partner, persons
// shared per pair of partners, households per partner, and the sizes of
// persons and households. It walks the persons one at a time in the order
// of ClusterID (links are in that order as Build writes them; otherwise an
// index is sorted), with per-partner counters, so that what it holds grows
// with the partners and the households, not with a map per person: at 10
// million records a map of partners per person and of persons per
// household took 2.3 GB.
func (r *Report) addClusterFigures(links []cluster.Link) {
	order := clusterOrder(links)
	at := func(i int) *cluster.Link {
		if order != nil {
			return &links[order[i]]
		}
		return &links[i]
	}
	// Partners are slots: those of the report first, then any other name
	// the links hold (counted in sizes, as before, but reported nowhere).
	slot := make(map[string]int, len(r.Partners))
	for i, p := range r.Partners {
		slot[p.Partner] = i
	}
	slotOf := func(name string) int {
		k, ok := slot[name]
		if !ok {
			k = len(slot)
			slot[name] = k
		}
		return k
	}
	pairSlot := func(name string) int {
		if k, ok := slot[name]; ok {
			return k
		}
		return -1
	}
	pairs := make([][2]int, len(r.Pairs))
	for i, pp := range r.Pairs {
		pairs[i] = [2]int{pairSlot(pp.A), pairSlot(pp.B)}
	}
	var count []int              // records of the person per slot
	var present []int            // slots with a record of the person
	var hhOfPerson []int64       // distinct households of the person
	var personHouseholds []int64 // one per (household, person)
	partnerHouseholds := make([][]int64, len(r.Partners))
	sizes := map[int]int{}
	for lo := 0; lo < len(links); {
		c := at(lo).ClusterID
		hi := lo
		present, hhOfPerson = present[:0], hhOfPerson[:0]
		for ; hi < len(links) && at(hi).ClusterID == c; hi++ {
			l := at(hi)
			k := slotOf(l.Partner)
			for len(count) <= k {
				count = append(count, 0)
			}
			if count[k] == 0 {
				present = append(present, k)
			}
			count[k]++
			hhOfPerson = append(hhOfPerson, l.HouseholdID)
			if k < len(partnerHouseholds) {
				partnerHouseholds[k] = append(partnerHouseholds[k], l.HouseholdID)
			}
		}
		n := hi - lo
		sizes[n]++
		for _, k := range present {
			if k >= len(r.Partners) {
				continue
			}
			p := &r.Partners[k]
			if n > 1 {
				p.Linked += count[k]
			}
			if len(present) == 1 {
				p.OnlyHere++
			}
		}
		for i, ab := range pairs {
			a, b := countAt(count, ab[0]), countAt(count, ab[1])
			if ab[0] == ab[1] && a > 1 || ab[0] != ab[1] && a > 0 && b > 0 {
				r.Pairs[i].SharedPersons++
			}
		}
		slices.Sort(hhOfPerson)
		personHouseholds = append(personHouseholds, slices.Compact(hhOfPerson)...)
		for _, k := range present {
			count[k] = 0
		}
		lo = hi
	}
	for i, hs := range partnerHouseholds {
		slices.Sort(hs)
		r.Partners[i].Households = len(slices.Compact(hs))
		partnerHouseholds[i] = nil
	}
	r.ClusterSizes = sizeCounts(sizes)
	slices.Sort(personHouseholds)
	hs := map[int]int{}
	for lo := 0; lo < len(personHouseholds); {
		hi := lo + 1
		for hi < len(personHouseholds) && personHouseholds[hi] == personHouseholds[lo] {
			hi++
		}
		hs[hi-lo]++
		lo = hi
	}
	r.HouseholdSizes = sizeCounts(hs)
}

// countAt is count[k], 0 for a slot without records (k < 0: a partner the
// links do not hold).
func countAt(count []int, k int) int {
	if k < 0 || k >= len(count) {
		return 0
	}
	return count[k]
}

// clusterOrder is nil when links are ordered by ClusterID, else the
// indices of links in that order (ties in their order).
func clusterOrder(links []cluster.Link) []int32 {
	if slices.IsSortedFunc(links, func(a, b cluster.Link) int { return cmp.Compare(a.ClusterID, b.ClusterID) }) {
		return nil
	}
	order := make([]int32, len(links))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(links[a].ClusterID, links[b].ClusterID) })
	return order
}

func sizeCounts(m map[int]int) []SizeCount {
	out := make([]SizeCount, 0, len(m))
	for s, c := range m {
		out = append(out, SizeCount{Size: s, Count: c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Size < out[j].Size })
	return out
}
