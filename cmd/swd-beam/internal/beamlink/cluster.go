package beamlink

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/model"
)

// Person is a record with the person and household it was put in:
// Person is the reference of the person's smallest member by (partner
// name, record id), PersonKey that member's key (for ordering the output
// as swd link does), House the reference of its household's smallest
// member (the household before the co-residence joins).
type Person struct {
	Ref         uint64
	ID          string
	House       uint64
	Person      uint64
	PersonKey   string
	Probability float64
}

// recordKey orders records as cluster.RecordKey does: partner name, then
// record id (names hold no NUL).
func recordKey(partner, id string) string { return partner + "\x00" + id }

// House is a household as a component's clustering made it, before the
// co-residence joins: Ref is its smallest member's reference, Canon that
// member's key (the co-residence joins are made in the order of their
// households' smallest members, as cluster.Build makes them), Mask its
// partners.
type House struct {
	Ref   uint64
	Canon string
	Mask  uint64
}

func appendHouse(b []byte, h *House) []byte {
	b = binary.AppendUvarint(b, h.Ref)
	b = appendString(b, h.Canon)
	return binary.AppendUvarint(b, h.Mask)
}

func (d *decoder) house(h *House) {
	h.Ref = d.uvarint()
	h.Canon = d.string()
	h.Mask = d.uvarint()
}

// ClusterStat sums cluster.Stats over components.
type ClusterStat struct {
	Records, Edges, Assigned, Merged, Refused, Sparse, Vetoed, Clusters int64
	WeakSplit, CoResident                                               int64
}

func addClusterStat(a, b ClusterStat) ClusterStat {
	return ClusterStat{a.Records + b.Records, a.Edges + b.Edges, a.Assigned + b.Assigned, a.Merged + b.Merged,
		a.Refused + b.Refused, a.Sparse + b.Sparse, a.Vetoed + b.Vetoed, a.Clusters + b.Clusters,
		a.WeakSplit + b.WeakSplit, a.CoResident + b.CoResident}
}

// personOut emits persons by the bucket of their household (for the
// co-residence joins' labels), and each household's co-residence keys by
// the bucket of the key.
type personOut struct {
	plan    *Plan
	persons *packer
	coRes   *packer
}

func newPersonOut(p *Plan, emitPerson, emitCoRes func(int, []byte)) *personOut {
	return &personOut{plan: p, persons: newPacker(kindPerson, emitPerson), coRes: newPacker(kindCoRes, emitCoRes)}
}

func (o *personOut) add(p *Person) {
	o.persons.add(o.plan.bucket(p.House), func(b []byte) []byte { return appendPerson(b, p) })
}

// house tells that household h holds co-residence key key (once per key
// and household).
func (o *personOut) house(key uint64, h *House) {
	if key == 0 || o.plan.NoCoResidence {
		return
	}
	o.coRes.add(o.plan.bucket(key), func(b []byte) []byte {
		b = binary.AppendUvarint(b, key)
		return appendHouse(b, h)
	})
}

func (o *personOut) flush() {
	o.persons.flush()
	o.coRes.flush()
}

// componentFn joins the records and edges of a bucket with their nodes'
// component labels: records and edges go to the bucket of their component;
// a record in no edge and sharing no partner household id is a person and
// a household of its own.
type componentFn struct {
	Plan string

	plan *Plan
}

func (f *componentFn) Setup() error {
	var err error
	f.plan, err = DecodePlan(f.Plan)
	return err
}

func (f *componentFn) ProcessElement(_ int, packets func(*[]byte) bool, emitComp, emitPerson, emitCoRes func(int, []byte)) error {
	p := f.plan
	rs := newRecords()
	labels := map[uint64]uint64{}
	var edges []Edge
	err := readPackets(packets, func(k kind, b []byte) error {
		if ok, err := rs.read(k, b); ok || err != nil {
			return err
		}
		d := decoder{b: b}
		switch k {
		case kindLabel:
			u := d.uvarint()
			labels[u] = d.uvarint()
		case kindEdge:
			var e Edge
			d.edge(&e)
			edges = append(edges, e)
		default:
			return errCorrupt
		}
		return d.done()
	})
	if err != nil {
		return err
	}
	rs.finish()
	comps := newPacker(kindCompRec, emitComp)
	out := newPersonOut(p, emitPerson, emitCoRes)
	for ref, r := range rs.byRef {
		if r.Fields == nil {
			return fmt.Errorf("beamlink: term frequencies of a record that was not read")
		}
		if l, ok := labels[ref]; ok {
			comps.add(p.bucket(l), func(b []byte) []byte {
				b = binary.AppendUvarint(b, l)
				return appendRec(b, r)
			})
			continue
		}
		key := recordKey(p.Partners[partnerOf(ref)].Name, r.ID)
		out.add(&Person{Ref: ref, ID: r.ID, House: ref, Person: ref, PersonKey: key})
		h := &House{Ref: ref, Canon: key, Mask: 1 << uint(partnerOf(ref))}
		for _, k := range cluster.HouseholdCoResidence([]uint64{r.Contact}, []uint64{r.Place}) {
			out.house(k, h)
		}
	}
	comps.flush()
	out.flush()
	ce := newPacker(kindCompEdge, emitComp)
	for i := range edges {
		e := &edges[i]
		l, ok := labels[e.A]
		if !ok {
			return fmt.Errorf("beamlink: an edge's record has no component")
		}
		ce.add(p.bucket(l), func(b []byte) []byte {
			b = binary.AppendUvarint(b, l)
			return appendEdge(b, e)
		})
	}
	ce.flush()
	return nil
}

// component is the records and edges of one connected component.
type component struct {
	recs  []Rec
	edges []Edge
}

// clusterFn clusters one connected component with cluster.Build, the code
// of swd link (its one-to-one assignment, the one-record-per-partner rule,
// the density guard, the veto, the contested components solved on all
// their pairs, the households of the partners' household ids and the
// household rule): the component's records are the whole input of a
// Build, so the result is the one a Build over all records gives on them.
// The components join the records sharing a partner household id as well
// as the edges: the household rule (cluster.Config.HouseholdMinWeight)
// asks how many persons join two partner households, and they are all in
// the component. The co-residence joins, which join households of
// different components, come after (coResFn).
type clusterFn struct {
	Plan string

	plan *Plan
	rc   *model.RecordComparer
	w    *weigher
}

func (f *clusterFn) Setup() error {
	var err error
	if f.plan, err = DecodePlan(f.Plan); err != nil {
		return err
	}
	f.rc, err = model.NewRecordComparer(f.plan.Cmps)
	return err
}

func (f *clusterFn) ProcessElement(ctx context.Context, _ int, packets func(*[]byte) bool,
	modelJSON, priorsJSON string, totals, sumSq func(*string, *int64) bool, emitPerson, emitCoRes func(int, []byte), emitStat func(ClusterStat)) error {
	p := f.plan
	if f.w == nil {
		var err error
		if f.w, err = newWeigher(p, modelJSON, priorsJSON, totals, sumSq); err != nil {
			return err
		}
	}
	comps := map[uint64]*component{}
	of := func(l uint64) *component {
		c, ok := comps[l]
		if !ok {
			c = &component{}
			comps[l] = c
		}
		return c
	}
	err := readPackets(packets, func(k kind, b []byte) error {
		d := decoder{b: b}
		l := d.uvarint()
		switch k {
		case kindCompRec:
			c := of(l)
			c.recs = append(c.recs, Rec{})
			d.rec(&c.recs[len(c.recs)-1])
		case kindCompEdge:
			c := of(l)
			c.edges = append(c.edges, Edge{})
			d.edge(&c.edges[len(c.edges)-1])
		default:
			return errCorrupt
		}
		return d.done()
	})
	if err != nil {
		return err
	}
	labels := slices.Sorted(maps.Keys(comps))
	out := newPersonOut(p, emitPerson, emitCoRes)
	var sum ClusterStat
	for _, l := range labels {
		st, err := f.cluster(ctx, comps[l], out.add, out.house)
		if err != nil {
			return err
		}
		sum = addClusterStat(sum, st)
	}
	out.flush()
	emitStat(sum)
	return nil
}

// cluster clusters one component.
func (f *clusterFn) cluster(ctx context.Context, comp *component, emit func(*Person), house func(uint64, *House)) (ClusterStat, error) {
	p := f.plan
	parts := make([]cluster.Partner, len(p.Partners))
	for k := range parts {
		parts[k].Name = p.Partners[k].Name
	}
	members := make([][]*Rec, len(p.Partners)) // per partner, in the order of parts[k].RecordIDs
	local := map[uint64]cluster.Ref{}
	slices.SortFunc(comp.recs, func(x, y Rec) int { return cmp.Compare(x.Ref, y.Ref) })
	for i := range comp.recs {
		r := &comp.recs[i]
		if len(r.Counts) < len(r.Fields) && r.Counts != nil {
			r.Counts = append(r.Counts, make([][]int64, len(r.Fields)-len(r.Counts))...)
		}
		k := partnerOf(r.Ref)
		local[r.Ref] = cluster.Ref{Partner: k, Row: len(members[k])}
		members[k] = append(members[k], r)
		parts[k].RecordIDs = append(parts[k].RecordIDs, r.ID)
		parts[k].Households = append(parts[k].Households, r.Household)
	}
	var es []cluster.Edge
	for _, e := range comp.edges {
		a, okA := local[e.A]
		b, okB := local[e.B]
		if !okA || !okB {
			return ClusterStat{}, fmt.Errorf("beamlink: an edge of a component names a record outside it")
		}
		es = append(es, cluster.Edge{A: a, B: b, Weight: e.Weight, Probability: e.Probability})
	}
	cc := cluster.DefaultConfig()
	cc.Threshold = p.Threshold
	cc.HouseholdMinWeight = p.HouseholdMinWeight
	if p.Greedy {
		cc.Assignment = cluster.AssignGreedy
	}
	var err error
	if cc.Correlation, err = linkage.ClusteringMode(p.Clustering); err != nil {
		return ClusterStat{}, err
	}
	pw := &pairWeigher{plan: p, w: f.w, rc: f.rc}
	rec := func(x cluster.Ref) *Rec { return members[x.Partner][x.Row] }
	if !p.NoVeto {
		cc.Veto = func(a, b cluster.Ref) bool { return pw.veto(rec(a), rec(b)) }
		cc.VetoWeight = p.VetoWeight
	}
	cc.Weight = func(a, b cluster.Ref) (float64, bool) { return pw.weight(rec(a), rec(b)) }
	links, st, err := cluster.Build(ctx, parts, es, cc)
	if err != nil {
		return ClusterStat{}, err
	}
	stat := ClusterStat{Records: int64(st.Records), Edges: int64(st.Edges), Assigned: int64(st.Assigned), Merged: int64(st.Merged),
		Refused: int64(st.Refused), Sparse: int64(st.Sparse), Vetoed: int64(st.Vetoed), Clusters: int64(st.Clusters),
		WeakSplit: int64(st.WeakSplit)}
	byID := map[string]int{}
	index := make([]map[string]int, len(parts))
	for k := range parts {
		byID[parts[k].Name] = k
		index[k] = make(map[string]int, len(members[k]))
		for i, m := range members[k] {
			index[k][m.ID] = i
		}
	}
	recs := make([]*Rec, len(links))
	houses := map[int64]*House{}
	for i, l := range links {
		k := byID[l.Partner]
		recs[i] = members[k][index[k][l.RecordID]]
		key := recordKey(l.Partner, l.RecordID)
		h, ok := houses[l.HouseholdID]
		if !ok || key < h.Canon {
			if !ok {
				h = &House{}
				houses[l.HouseholdID] = h
			}
			h.Ref, h.Canon = recs[i].Ref, key
		}
		h.Mask |= 1 << uint(k)
	}
	// Links come sorted by cluster, then (partner, record id): the first
	// link of a cluster is its smallest member.
	var head uint64
	var headKey string
	cur := int64(-1)
	contacts, places := map[int64][]uint64{}, map[int64][]uint64{}
	for i, l := range links {
		rec := recs[i]
		if l.ClusterID != cur {
			cur, head, headKey = l.ClusterID, rec.Ref, recordKey(l.Partner, l.RecordID)
		}
		h := houses[l.HouseholdID]
		emit(&Person{Ref: rec.Ref, ID: rec.ID, House: h.Ref, Person: head, PersonKey: headKey, Probability: l.MatchProbability})
		contacts[l.HouseholdID] = append(contacts[l.HouseholdID], rec.Contact)
		places[l.HouseholdID] = append(places[l.HouseholdID], rec.Place)
	}
	// Each household's co-residence keys, as cluster.Build derives them.
	for _, hh := range slices.Sorted(maps.Keys(houses)) {
		for _, k := range cluster.HouseholdCoResidence(contacts[hh], places[hh]) {
			house(k, houses[hh])
		}
	}
	return stat, nil
}
