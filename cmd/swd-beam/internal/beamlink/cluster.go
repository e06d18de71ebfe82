package beamlink

import (
	"context"
	"fmt"
	"strings"

	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/model"
)

// Person is a record with the person it was put in: Person is the
// reference of the person's smallest member by (partner name, record id),
// PersonKey that member's key (for ordering the output as swd link does).
type Person struct {
	Ref         uint64
	ID          string
	Household   string
	Person      uint64
	PersonKey   string
	Probability float64
}

// recordKey orders records as cluster.RecordKey does: partner name, then
// record id (names hold no NUL).
func recordKey(partner, id string) string { return partner + "\x00" + id }

// ClusterStat sums cluster.Stats over components.
type ClusterStat struct {
	Records, Edges, Assigned, Merged, Refused, Sparse, Vetoed, Clusters int64
}

func addClusterStat(a, b ClusterStat) ClusterStat {
	return ClusterStat{a.Records + b.Records, a.Edges + b.Edges, a.Assigned + b.Assigned, a.Merged + b.Merged,
		a.Refused + b.Refused, a.Sparse + b.Sparse, a.Vetoed + b.Vetoed, a.Clusters + b.Clusters}
}

// labelRecFn joins each record with its component label; a record in no
// edge is a person of its own.
type labelRecFn struct {
	Plan string

	plan *Plan
}

func (f *labelRecFn) Setup() error {
	var err error
	f.plan, err = DecodePlan(f.Plan)
	return err
}

func (f *labelRecFn) ProcessElement(ref uint64, recs func(*Rec) bool, labels func(*uint64) bool, emitComp func(uint64, Rec), emitAlone func(Person)) {
	var r Rec
	if !recs(&r) {
		return
	}
	var label uint64
	if labels(&label) {
		emitComp(label, r)
		return
	}
	emitAlone(Person{Ref: ref, ID: r.ID, Household: r.Household, Person: ref,
		PersonKey: recordKey(f.plan.Partners[partnerOf(ref)].Name, r.ID)})
}

// labelEdgeFn keys an edge by its component.
func labelEdgeFn(_ uint64, edges func(*Edge) bool, labels func(*uint64) bool, emit func(uint64, Edge)) {
	var label uint64
	if !labels(&label) {
		return
	}
	var e Edge
	for edges(&e) {
		emit(label, e)
	}
}

func edgeByA(e Edge) (uint64, Edge) { return e.A, e }

func edgeNodes(e Edge) (uint64, uint64) { return e.A, e.B }

// clusterFn clusters one connected component with cluster.Build, the code
// of swd link (its one-to-one assignment, the one-record-per-partner rule,
// the density guard and the veto): the component's records are the whole
// input of a Build, so the result is the one a Build over all records
// gives on them.
type clusterFn struct {
	Plan string

	plan   *Plan
	rc     *model.RecordComparer
	m      *model.Model
	totals map[[2]int]int64
}

func (f *clusterFn) Setup() error {
	var err error
	if f.plan, err = DecodePlan(f.Plan); err != nil {
		return err
	}
	f.rc, err = model.NewRecordComparer(f.plan.Cmps)
	return err
}

func (f *clusterFn) ProcessElement(ctx context.Context, _ uint64, recs func(*Rec) bool, edges func(*Edge) bool,
	modelJSON string, totals func(*string, *int64) bool, emit func(Person), emitStat func(ClusterStat)) error {
	p := f.plan
	if f.m == nil {
		var err error
		if f.m, err = model.Decode(strings.NewReader(modelJSON), "model"); err != nil {
			return err
		}
		f.totals = readTotals(totals)
	}
	parts := make([]cluster.Partner, len(p.Partners))
	for k := range parts {
		parts[k].Name = p.Partners[k].Name
	}
	members := make([][]Rec, len(p.Partners)) // per partner, in the order of parts[k].RecordIDs
	local := map[uint64]cluster.Ref{}
	var r Rec
	for recs(&r) {
		k := partnerOf(r.Ref)
		local[r.Ref] = cluster.Ref{Partner: k, Row: len(members[k])}
		members[k] = append(members[k], r)
		parts[k].RecordIDs = append(parts[k].RecordIDs, r.ID)
	}
	var es []cluster.Edge
	var e Edge
	for edges(&e) {
		a, okA := local[e.A]
		b, okB := local[e.B]
		if !okA || !okB {
			return fmt.Errorf("beamlink: an edge of a component names a record outside it")
		}
		es = append(es, cluster.Edge{A: a, B: b, Weight: e.Weight, Probability: e.Probability})
	}
	cc := cluster.DefaultConfig()
	cc.Threshold = p.Threshold
	if p.Greedy {
		cc.Assignment = cluster.AssignGreedy
	}
	if !p.NoVeto {
		v := &vetoer{plan: p, m: f.m, rc: f.rc, totals: f.totals}
		cc.Veto = func(a, b cluster.Ref) bool { return v.veto(&members[a.Partner][a.Row], &members[b.Partner][b.Row]) }
	}
	links, st, err := cluster.Build(ctx, parts, es, cc)
	if err != nil {
		return err
	}
	emitStat(ClusterStat{Records: int64(st.Records), Edges: int64(st.Edges), Assigned: int64(st.Assigned), Merged: int64(st.Merged),
		Refused: int64(st.Refused), Sparse: int64(st.Sparse), Vetoed: int64(st.Vetoed), Clusters: int64(st.Clusters)})
	byID := map[string]int{}
	index := make([]map[string]int, len(parts))
	for k := range parts {
		byID[parts[k].Name] = k
		index[k] = make(map[string]int, len(members[k]))
		for i, m := range members[k] {
			index[k][m.ID] = i
		}
	}
	// Links come sorted by cluster, then (partner, record id): the first
	// link of a cluster is its smallest member.
	var head uint64
	var headKey string
	cur := int64(-1)
	for _, l := range links {
		k := byID[l.Partner]
		rec := &members[k][index[k][l.RecordID]]
		if l.ClusterID != cur {
			cur, head, headKey = l.ClusterID, rec.Ref, recordKey(l.Partner, l.RecordID)
		}
		emit(Person{Ref: rec.Ref, ID: rec.ID, Household: rec.Household, Person: head, PersonKey: headKey, Probability: l.MatchProbability})
	}
	return nil
}
