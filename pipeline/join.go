package pipeline

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/taxonomy"
)

// errJoin is the error of a join between links and records.
var errJoin = errors.New("links and encoded files do not match")

// partner is one encoded file, indexed by record id.
type partner struct {
	name     string
	ds       *encoding.Dataset
	rows     map[string]int
	linked   []bool
	district []string
	needs    []string
	cmap     *taxonomy.CodeMap
	unknown  taxonomy.UnknownStats
}

func (p *partner) stats() PartnerStats {
	s := PartnerStats{Partner: p.name, Records: p.ds.Len(), MapVersion: "canonical only",
		UnknownCodes: p.unknown.Total(), UnknownDistinct: p.unknown.Distinct(), Unknown: p.unknown.Counts()}
	if p.cmap != nil {
		s.MapVersion = p.cmap.Version
	}
	return s
}

// member maps row i's attributes. Unknown codes are counted and become
// "unclassified"; under the policy "fail" the caller refuses the table
// once every record has been counted, so the error gives complete counts.
func (p *partner) member(i int) member {
	m := member{partner: p.name, recordID: p.ds.RecordIDs[i], district: strings.TrimSpace(p.district[i])}
	m.needs, _ = taxonomy.MapNeeds(p.cmap, p.needs[i], taxonomy.UnknownUnclassified, &p.unknown)
	return m
}

// indexPartners checks the encoded files (one per partner, each with the
// attribute columns) and indexes their records by id, in partner order.
func indexPartners(ds []*encoding.Dataset, cfg HouseholdConfig) (map[string]*partner, error) {
	parts := make(map[string]*partner, len(ds))
	for i, d := range ds {
		if d == nil || d.Meta.Partner == "" {
			return nil, base.Invalidf("encoded file %d of %d names no partner", i+1, len(ds))
		}
		name := d.Meta.Partner
		if parts[name] != nil {
			return nil, base.Invalidf("two encoded files are partner %q's: give each partner's file once", name)
		}
		p := &partner{name: name, ds: d, rows: make(map[string]int, d.Len()), linked: make([]bool, d.Len()), cmap: cfg.codeMap(name)}
		var err error
		if p.district, err = attr(d, cfg.DistrictAttr, "district"); err != nil {
			return nil, err
		}
		if p.needs, err = attr(d, cfg.NeedsAttr, "needs"); err != nil {
			return nil, err
		}
		dups := 0
		for row, id := range d.RecordIDs {
			if _, ok := p.rows[id]; ok {
				dups++
				continue
			}
			p.rows[id] = row
		}
		if dups > 0 {
			return nil, base.Invalidf("partner %s: %d records repeat another record's id; record ids must be unique in an encoded file", name, dups)
		}
		parts[name] = p
	}
	return parts, nil
}

// attr returns the values of an attribute column, refusing a file without
// it (the schema must carry it) or with a column of the wrong length.
func attr(d *encoding.Dataset, name, role string) ([]string, error) {
	c := d.Attr(name)
	if c == nil {
		have := make([]string, 0, len(d.Attrs))
		for _, a := range d.Attrs {
			have = append(have, a.Name)
		}
		return nil, base.Invalidf("partner %s: the encoded file has no %s attribute %q (it has: %s); the schema must carry it, or name it with --%s-attr",
			d.Meta.Partner, role, name, strings.Join(have, ", "), role)
	}
	if len(c.Values) != d.Len() {
		return nil, base.Invalidf("partner %s: attribute %q has %d values for %d records", d.Meta.Partner, name, len(c.Values), d.Len())
	}
	return c.Values, nil
}

// joinCounts collects the mismatches between links and records per partner.
type joinCounts struct {
	noFile, noRecord, repeated, unlinked map[string]int
}

func (j *joinCounts) add(m *map[string]int, partner string) {
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[partner]++
}

func (j *joinCounts) err() error {
	var msgs []string
	list := func(m map[string]int, what string) {
		for _, p := range slices.Sorted(maps.Keys(m)) {
			msgs = append(msgs, fmt.Sprintf(what, m[p], p))
		}
	}
	list(j.noFile, "%d links name partner %s, which no encoded file given is")
	list(j.noRecord, "%d links of %s name records its encoded file does not hold")
	list(j.repeated, "%d records of %s have more than one link")
	list(j.unlinked, "%d records of %s's encoded file have no link")
	if len(msgs) == 0 {
		return nil
	}
	return base.Invalidf("%w (were the links made from exactly these files?): %s", errJoin, strings.Join(msgs, "; "))
}

// joinLinks resolves every link to its record and groups the records by
// household id, in link order.
func joinLinks(links []cluster.Link, parts map[string]*partner) (map[int64][]member, error) {
	var jc joinCounts
	members := map[int64][]member{}
	for _, l := range links {
		p := parts[l.Partner]
		if p == nil {
			jc.add(&jc.noFile, l.Partner)
			continue
		}
		row, ok := p.rows[l.RecordID]
		switch {
		case !ok:
			jc.add(&jc.noRecord, l.Partner)
			continue
		case p.linked[row]:
			jc.add(&jc.repeated, l.Partner)
			continue
		}
		p.linked[row] = true
		members[l.HouseholdID] = append(members[l.HouseholdID], p.member(row))
	}
	for _, p := range parts {
		for _, ok := range p.linked {
			if !ok {
				jc.add(&jc.unlinked, p.name)
			}
		}
	}
	if err := jc.err(); err != nil {
		return nil, err
	}
	return members, nil
}
