package incremental

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/match"
	"github.com/welfare-district/swd/linkage/model"
)

// Config configures Update.
type Config struct {
	// Linkage holds the parameters of the linkage (threshold, assignment,
	// blocking, all-pairs Dice pass, term frequencies, veto, household
	// attribute, de-duplication, workers, seed, logger, progress), as for
	// linkage.Link. Its Model is ignored: the state's model scores.
	Linkage linkage.Config
	// All treats every current record as fresh: a full relink with the
	// state's model, whose ids still follow the state (after a refit).
	All bool
}

// Link is one current record with its stable ids: a row of the links file
// of a period.
type Link struct {
	cluster.Link
	Period      string
	FirstPeriod string
}

// Stats counts what Update did.
type Stats struct {
	Records    int   `json:"records"`    // current records
	New        int   `json:"new"`        // never seen before
	Reopened   int   `json:"reopened"`   // seen before, absent last period
	Changed    int   `json:"changed"`    // encoding changed since last period
	Closed     int   `json:"closed"`     // open last period, absent now
	Candidates int64 `json:"candidates"` // candidate pairs of the fresh records
	EdgesKept  int   `json:"edges_kept"` // accepted links carried over
	EdgesNew   int   `json:"edges_new"`  // accepted links among the candidates
	Persons    int   `json:"persons"`
	Households int   `json:"households"`
	// MeanWeight is the mean match weight of the fresh records' candidates
	// under the model, and FitMeanWeight the same among the candidates it
	// was fitted on, when known: how far the new data drift from the model.
	MeanWeight float64 `json:"mean_weight"`
	// Drift compares, per field, the links accepted among the fresh
	// records with the model's m; MaxDrift is the largest (see
	// FieldDrift). A refit is worth considering when it grows.
	Drift    []FieldDrift       `json:"drift"`
	MaxDrift float64            `json:"max_drift"`
	Timings  map[string]float64 `json:"timings_s"`
}

// Result is what Update produced.
type Result struct {
	State  *State
	Links  []Link // current records, sorted by (person, partner, record id)
	Events []Event
	Stats  Stats
}

// Update links the current snapshots ds (one dataset per partner, every
// partner's full current caseload) of period against prev, which must hold
// a model, and returns the next state, the period's links with stable ids
// and its events. prev is not modified. period must come after
// prev.Period.
func Update(ctx context.Context, prev *State, ds []*encoding.Dataset, period string, cfg Config) (*Result, error) {
	if prev == nil || prev.Model == nil {
		return nil, base.Usagef("incremental: the state has no model")
	}
	if period == "" || !periodAfter(period, prev.Period) {
		return nil, base.Usagef("incremental: period %q does not come after the state's last period %q", period, prev.Period)
	}
	lc, err := cfg.Linkage.WithDefaults()
	if err != nil {
		return nil, err
	}
	if err := linkage.CheckCompatible(ds); err != nil {
		return nil, err
	}
	u := &updater{prev: prev, ds: ds, period: period, cfg: lc, all: cfg.All,
		res: &Result{Stats: Stats{Timings: map[string]float64{}}}}
	t0 := time.Now()
	// The scorers (term frequencies of every pair of datasets) are built
	// while the records are classified: neither needs the other.
	var scErr error
	built := make(chan struct{})
	go func() {
		defer close(built)
		u.scorers, scErr = newScorers(ds, prev.Model, lc)
	}()
	u.priors = jobPriors(ds, prev, lc.NoDedup)
	u.classify()
	<-built
	if scErr != nil {
		return nil, scErr
	}
	edges := u.keptEdges()
	u.res.Stats.EdgesKept = len(edges)
	u.res.Stats.Timings["prepare"] = time.Since(t0).Seconds()
	t0 = time.Now()
	fresh, err := u.freshEdges(ctx)
	if err != nil {
		return nil, err
	}
	u.res.Stats.EdgesNew = len(fresh)
	edges = append(edges, fresh...)
	u.res.Stats.Timings["candidates"] = time.Since(t0).Seconds()
	t0 = time.Now()
	cc, err := u.clusterConfig()
	if err != nil {
		return nil, err
	}
	ps, err := u.partners()
	if err != nil {
		return nil, err
	}
	links, st, err := cluster.Build(ctx, ps, edges, cc)
	if err != nil {
		return nil, err
	}
	u.res.Stats.Persons, u.res.Stats.Households = st.Clusters, st.Households
	u.finish(links, edges)
	u.res.Stats.Timings["clustering"] = time.Since(t0).Seconds()
	lc.Logger.Info("linked incrementally", "period", period, "records", u.res.Stats.Records, "new", u.res.Stats.New,
		"changed", u.res.Stats.Changed, "closed", u.res.Stats.Closed, "candidates", u.res.Stats.Candidates,
		"persons", st.Clusters, "households", st.Households, "events", len(u.res.Events))
	return u.res, nil
}

// updater holds one Update's work.
type updater struct {
	prev    *State
	ds      []*encoding.Dataset
	period  string
	cfg     linkage.Config
	all     bool
	res     *Result
	scorers map[[2]int]*model.Scorer
	priors  map[[2]int]float64 // prior weight of every pair of datasets compared (a ≤ b)

	prevOf [][]int          // prevOf[p][i]: index in prev.Records, or -1
	fresh  [][]int          // rows to search candidates for, per partner
	isNew  [][]bool         // fresh[p] as a set
	hash   [][]int64        // encoding hash per row
	rowOf  []map[string]int // record id → row, per partner
	pidx   map[string]int   // partner → index

	clks   map[int]*match.Index // dataset → Dice index of its CLKs
	levels levelCounts          // levels of the accepted fresh links
}

// classify finds every current record in the previous state and sorts the
// fresh ones from the unchanged. The previous records are looked up in the
// current datasets' maps by record id (rowOf), not the other way round:
// one map fewer, keyed by two strings, for every record of the state.
func (u *updater) classify() {
	u.pidx = make(map[string]int, len(u.ds))
	u.prevOf, u.rowOf = make([][]int, len(u.ds)), make([]map[string]int, len(u.ds))
	for p, d := range u.ds {
		u.pidx[d.Meta.Partner] = p
		rowOf, prevOf := make(map[string]int, d.Len()), make([]int, d.Len())
		for i, id := range d.RecordIDs {
			rowOf[id], prevOf[i] = i, -1
		}
		u.rowOf[p], u.prevOf[p] = rowOf, prevOf
	}
	for k := range u.prev.Records {
		r := &u.prev.Records[k]
		if p, ok := u.pidx[r.Partner]; ok {
			if i, ok := u.rowOf[p][r.RecordID]; ok {
				u.prevOf[p][i] = k
			}
		}
	}
	st := &u.res.Stats
	var buf []byte
	for p, d := range u.ds {
		n := d.Len()
		isNew, hash := make([]bool, n), make([]int64, n)
		var fresh []int
		for i := range n {
			hash[i], buf = hashRow(d, i, buf)
			k := u.prevOf[p][i]
			switch {
			case k < 0:
				st.New++
			case !u.prev.Records[k].Open:
				st.Reopened++
			case u.prev.Records[k].Hash != hash[i]:
				st.Changed++
			case !u.all:
				continue
			}
			isNew[i] = true
			fresh = append(fresh, i)
		}
		st.Records += n
		u.isNew, u.hash = append(u.isNew, isNew), append(u.hash, hash)
		u.fresh = append(u.fresh, fresh)
	}
}

// ref finds a current record by key.
func (u *updater) ref(partner, id string) (cluster.Ref, bool) {
	p, ok := u.pidx[partner]
	if !ok {
		return cluster.Ref{}, false
	}
	i, ok := u.rowOf[p][id]
	return cluster.Ref{Partner: p, Row: i}, ok
}

// keptEdges rescores the previous accepted links whose two records are
// current and unchanged, and keeps those still accepted.
func (u *updater) keptEdges() []cluster.Edge {
	var out []cluster.Edge
	for _, e := range u.prev.Edges {
		a, okA := u.ref(e.PartnerA, e.RecordA)
		b, okB := u.ref(e.PartnerB, e.RecordB)
		if !okA || !okB || u.isNew[a.Partner][a.Row] || u.isNew[b.Partner][b.Row] {
			continue
		}
		if ed, ok := u.edge(a, b); ok {
			out = append(out, ed)
		}
	}
	return out
}

// edge scores a pair of current records; ok is false below the threshold.
func (u *updater) edge(a, b cluster.Ref) (cluster.Edge, bool) {
	if a.Partner > b.Partner || a.Partner == b.Partner && a.Row > b.Row {
		a, b = b, a
	}
	w, _ := u.weigh(a, b)
	prob := probability(w)
	return cluster.Edge{A: a, B: b, Weight: w, Probability: prob}, prob >= u.cfg.Threshold
}

// weigh is the posterior log2-odds of a pair of current records: its match
// weight plus its pair of partners' prior; ok is false for a pair of
// datasets that is not compared (a partner's own records with NoDedup).
func (u *updater) weigh(a, b cluster.Ref) (float64, bool) {
	if a.Partner > b.Partner {
		a, b = b, a
	}
	k := [2]int{a.Partner, b.Partner}
	prior, ok := u.priors[k]
	if !ok {
		return 0, false
	}
	_, w := u.scorers[k].Weigh(a.Row, b.Row)
	return w + prior, true
}

// jobPriors gives every pair of datasets linkage.Link compares (a ≤ b) its
// prior weight: the state's prior for the pair of partners, or the
// model's.
func jobPriors(ds []*encoding.Dataset, st *State, noDedup bool) map[[2]int]float64 {
	byName := map[[2]string]float64{}
	for _, p := range st.Priors {
		byName[[2]string{p.PartnerA, p.PartnerB}] = p.Weight
		byName[[2]string{p.PartnerB, p.PartnerA}] = p.Weight
	}
	out := map[[2]int]float64{}
	for _, j := range linkage.Jobs(len(ds), noDedup) {
		w, ok := byName[[2]string{ds[j.A].Meta.Partner, ds[j.B].Meta.Partner}]
		if !ok {
			w = st.Model.PriorWeight()
		}
		out[[2]int{j.A, j.B}] = w
	}
	return out
}

// probability is the posterior of posterior log2-odds w.
func probability(w float64) float64 { return 1 / (1 + math.Exp2(-w)) }

// partners describes the current datasets to the clustering, with the
// co-residence keys linkage.Link gives it.
func (u *updater) partners() ([]cluster.Partner, error) {
	var contact, place [][]uint64
	if !u.cfg.NoCoResidence {
		var err error
		if contact, place, err = linkage.CoResidenceKeys(u.ds); err != nil {
			return nil, err
		}
	}
	ps := make([]cluster.Partner, len(u.ds))
	for k, d := range u.ds {
		ps[k] = cluster.Partner{Name: d.Meta.Partner, RecordIDs: d.RecordIDs}
		if h := d.Attr(u.cfg.HouseholdAttr); h != nil {
			ps[k].Households = h.Values
		}
		if contact != nil {
			ps[k].CoResidence, ps[k].CoResidenceAt = contact[k], place[k]
		}
	}
	return ps, nil
}

// clusterConfig is the clustering linkage.Link uses (linkage.ClusterConfig),
// pairs weighed with the state's priors.
func (u *updater) clusterConfig() (cluster.Config, error) {
	return linkage.ClusterConfig(u.cfg, u.weigh)
}

// newScorers binds the model to every pair of current datasets (a ≤ b).
func newScorers(ds []*encoding.Dataset, m *model.Model, cfg linkage.Config) (map[[2]int]*model.Scorer, error) {
	var pairs [][2]int
	for a := range ds {
		for b := a; b < len(ds); b++ {
			pairs = append(pairs, [2]int{a, b})
		}
	}
	scorers := make([]*model.Scorer, len(pairs))
	errs := make([]error, len(pairs))
	// Every dataset is in a pair with every other: its sides (4 bytes a
	// compared field and record) are prepared once and shared, as
	// linkage.Link shares them, not once per pair (0.15 GB at 850,000
	// records, six copies of each).
	sides := &model.SideCache{}
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(cfg.Workers, len(pairs))) {
		wg.Go(func() {
			for k := range next {
				scorers[k], errs[k] = model.NewScorerShared(m, ds[pairs[k][0]], ds[pairs[k][1]], !cfg.NoTF, sides)
			}
		})
	}
	for k := range pairs {
		next <- k
	}
	close(next)
	wg.Wait()
	out := make(map[[2]int]*model.Scorer, len(pairs))
	for k, p := range pairs {
		if errs[k] != nil {
			return nil, fmt.Errorf("incremental: %w", errs[k])
		}
		out[p] = scorers[k]
	}
	return out, nil
}

// finish numbers the persons and households with their stable ids, and
// writes the next state, the links and the events into the result.
func (u *updater) finish(links []cluster.Link, edges []cluster.Edge) {
	prev, st := u.prev, &u.res.Stats
	next := &State{Period: u.period, Model: prev.Model, Priors: prev.Priors, NextPerson: prev.NextPerson, NextHousehold: prev.NextHousehold, NextSeq: prev.NextSeq}
	cur := make([]Record, len(links))
	seen := make([]bool, len(prev.Records))
	var newOnes []int
	for k, l := range links {
		p := u.pidx[l.Partner]
		i := u.rowOf[p][l.RecordID]
		r := Record{Partner: l.Partner, RecordID: l.RecordID, Person: -1, Household: -1, FirstPeriod: u.period, LastPeriod: u.period,
			Open: true, Seq: -1, Hash: u.hash[p][i], MatchProbability: l.MatchProbability}
		if j := u.prevOf[p][i]; j >= 0 {
			seen[j] = true
			old := prev.Records[j]
			r.FirstPeriod, r.Seq = old.FirstPeriod, old.Seq
			if old.Open {
				r.Person, r.Household = old.Person, old.Household
			}
		} else {
			newOnes = append(newOnes, k)
		}
		cur[k] = r
	}
	slices.SortFunc(newOnes, func(a, b int) int { return cur[a].Key().Compare(cur[b].Key()) })
	for _, k := range newOnes {
		cur[k].Seq = next.NextSeq
		next.NextSeq++
	}
	var prevPersons, prevHouseholds []int64
	for j, r := range prev.Records {
		if r.Open {
			prevPersons, prevHouseholds = append(prevPersons, r.Person), append(prevHouseholds, r.Household)
		}
		if !seen[j] {
			if r.Open {
				st.Closed++
				r.Open = false
			}
			next.Records = append(next.Records, r)
		}
	}
	persons, pev := assignLevel(links, cur, prevPersons, &next.NextPerson, u.period, LevelPerson,
		func(l cluster.Link) int64 { return l.ClusterID }, func(r Record) int64 { return r.Person })
	households, hev := assignLevel(links, cur, prevHouseholds, &next.NextHousehold, u.period, LevelHousehold,
		func(l cluster.Link) int64 { return l.HouseholdID }, func(r Record) int64 { return r.Household })
	out := make([]Link, len(links))
	for k, l := range links {
		cur[k].Person, cur[k].Household = persons[l.ClusterID], households[l.HouseholdID]
		l.ClusterID, l.HouseholdID = cur[k].Person, cur[k].Household
		out[k] = Link{Link: l, Period: u.period, FirstPeriod: cur[k].FirstPeriod}
	}
	slices.SortFunc(out, func(a, b Link) int {
		if a.ClusterID != b.ClusterID {
			return cmpInt(a.ClusterID, b.ClusterID)
		}
		return a.Key().Compare(b.Key())
	})
	next.Records = append(next.Records, cur...)
	next.SortRecords()
	for _, e := range edges {
		if e.Probability < u.cfg.Threshold {
			continue
		}
		a, b := u.ds[e.A.Partner], u.ds[e.B.Partner]
		next.Edges = append(next.Edges, Edge{PartnerA: a.Meta.Partner, RecordA: a.RecordIDs[e.A.Row],
			PartnerB: b.Meta.Partner, RecordB: b.RecordIDs[e.B.Row], Weight: e.Weight, Probability: e.Probability})
	}
	u.res.State, u.res.Links, u.res.Events = next, out, append(pev, hev...)
}

// assignLevel runs Assign for one level (persons or households).
func assignLevel(links []cluster.Link, cur []Record, prevOpen []int64, next *int64, period, level string,
	label func(cluster.Link) int64, prevID func(Record) int64) ([]int64, []Event) {
	members := make([]Member, len(links))
	n := 0
	for k, l := range links {
		members[k] = Member{Label: int(label(l)), Prev: prevID(cur[k]), Seq: cur[k].Seq}
		n = max(n, members[k].Label+1)
	}
	return Assign(members, n, prevOpen, next, period, level)
}
