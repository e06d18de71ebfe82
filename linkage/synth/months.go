package synth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/welfare-district/swd/internal/base"
)

// MonthsConfig configures WriteMonths: a district followed over months.
type MonthsConfig struct {
	// Config is the district of the first month (Households is its size).
	Config
	// Months is the number of monthly snapshots (at least 1).
	Months int
	// Start is the first period, YYYY-MM (default 2026-01).
	Start string
	// Monthly rates of change per household (zero: the defaults below;
	// negative: none).
	Arrival    float64 // new households, as a share of the first month's
	Departure  float64 // households leaving every partner
	Move       float64 // households moving house (the partners update the address)
	MemberAdd  float64 // a member becomes known to a partner that knows the household
	MemberGone float64 // a partner drops one of several members
	Intercept  float64 // a third-sector-only household reaches the first public-service partner
}

// Default monthly rates of MonthsConfig.
const (
	DefaultArrival    = 0.02
	DefaultDeparture  = 0.01
	DefaultMove       = 0.01
	DefaultMemberAdd  = 0.01
	DefaultMemberGone = 0.005
	DefaultIntercept  = 0.03
)

// Kinds of change in changes.csv.
const (
	ChangeArrival     = "arrival"
	ChangeDeparture   = "departure"
	ChangeMove        = "move"
	ChangeMemberAdded = "member_added"
	ChangeMemberGone  = "member_gone"
	ChangeIntercepted = "intercepted"
)

// ChangeColumns is the header of changes.csv.
var ChangeColumns = []string{"period", "kind", "household_id", "partner", "record_id"}

// MonthStats counts one month's snapshot and its changes from the month
// before.
type MonthStats struct {
	Period     string         `json:"period"`
	Households int            `json:"households"`
	Records    int            `json:"records"`
	Changes    map[string]int `json:"changes"`
	// OnlyThirdSector counts the households known to third-sector
	// partners only.
	OnlyThirdSector int `json:"only_third_sector"`
}

// family is a household followed over the months with the rows the
// partners hold about it.
type family struct {
	h      *Household
	rows   []Row
	active bool
}

// WriteMonths writes cfg.Months monthly snapshots into dir, one directory
// per period (dir/2026-01, …), each with every partner's full export
// (<partner>.csv, the same columns as Write), truth.csv for that month and
// changes.csv: what changed since the month before, with the truth
// household id and, per record, the partner and record id. Record ids are
// stable: a record keeps its id while the partner holds it. The output
// depends only on cfg (not on Workers).
func WriteMonths(ctx context.Context, cfg MonthsConfig, dir string) ([]MonthStats, error) {
	if cfg.Months < 1 {
		return nil, base.Usagef("synth: months must be at least 1")
	}
	start, err := time.Parse("2006-01", cmpOr(cfg.Start, "2026-01"))
	if err != nil {
		return nil, base.Usagef("synth: the start period must be YYYY-MM, not %q", cfg.Start)
	}
	cfg.setRates()
	g, err := NewGenerator(cfg.Config)
	if err != nil {
		return nil, err
	}
	c := g.Config()
	arrivals := int(cfg.Arrival*float64(c.Households) + 0.5)
	total := c.Households + (cfg.Months-1)*arrivals
	fams := make([]*family, 0, total)
	if err := g.stream(ctx, total, c.Workers, func(h *Household, rows []Row) error {
		fams = append(fams, &family{h: h, rows: rows})
		return nil
	}); err != nil {
		return nil, err
	}
	m := &months{g: g, cfg: cfg, r: rand.New(rand.NewPCG(c.Seed, 0x6d6f6e746873)), fams: fams}
	for i := range c.Households {
		fams[i].active = true
	}
	m.next = c.Households
	var out []MonthStats
	for k := range cfg.Months {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		period := start.AddDate(0, k, 0).Format("2006-01")
		var changes [][]string
		if k > 0 {
			changes = m.advance(period, arrivals)
		}
		st, err := m.write(filepath.Join(dir, period), period, changes)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// setRates fills in the default rates.
func (c *MonthsConfig) setRates() {
	for _, r := range []struct {
		v   *float64
		def float64
	}{{&c.Arrival, DefaultArrival}, {&c.Departure, DefaultDeparture}, {&c.Move, DefaultMove},
		{&c.MemberAdd, DefaultMemberAdd}, {&c.MemberGone, DefaultMemberGone}, {&c.Intercept, DefaultIntercept}} {
		switch {
		case *r.v == 0:
			*r.v = r.def
		case *r.v < 0:
			*r.v = 0
		}
	}
}

// months is the district between two snapshots.
type months struct {
	g    *Generator
	cfg  MonthsConfig
	r    *rand.Rand
	fams []*family
	next int // the next family to arrive
}

// advance applies one month of changes and returns them as rows of
// changes.csv.
func (m *months) advance(period string, arrivals int) [][]string {
	var ch [][]string
	note := func(kind string, f *family, row *Row) {
		rec := []string{period, kind, strconv.FormatInt(f.h.ID, 10), "", ""}
		if row != nil {
			rec[3], rec[4] = m.g.m.cfg.Partners[row.Partner].Name, row.RecordID
		}
		ch = append(ch, rec)
	}
	r := m.r
	for _, f := range m.fams[:m.next] {
		if !f.active {
			continue
		}
		if r.Float64() < m.cfg.Departure {
			f.active = false
			note(ChangeDeparture, f, nil)
			continue
		}
		if r.Float64() < m.cfg.Move {
			m.move(f)
			note(ChangeMove, f, nil)
		}
		if r.Float64() < m.cfg.MemberAdd {
			if row := m.addMember(f); row != nil {
				note(ChangeMemberAdded, f, row)
			}
		}
		if r.Float64() < m.cfg.MemberGone {
			if row, ok := m.dropMember(f); ok {
				note(ChangeMemberGone, f, &row)
			}
		}
		if m.thirdSectorOnly(f) && r.Float64() < m.cfg.Intercept {
			if row := m.intercept(f); row != nil {
				note(ChangeIntercepted, f, row)
			}
		}
	}
	for range arrivals {
		if m.next == len(m.fams) {
			break
		}
		f := m.fams[m.next]
		m.next++
		f.active = true
		note(ChangeArrival, f, nil)
	}
	return ch
}

// move gives the household a new address; each partner updates its
// records (the same new address in its own house style) with probability
// 0.9, per partner.
func (m *months) move(f *family) {
	addr := elsewhere(m.r, m.g.m.t, f.h)
	f.h.Street, f.h.Number, f.h.CAP, f.h.Quartiere = addr.street, addr.number, addr.cap, addr.quartiere
	updated := map[int]bool{}
	for p := range m.g.m.views {
		updated[p] = m.r.Float64() < 0.9
	}
	for i := range f.rows {
		row := &f.rows[i]
		if !updated[row.Partner] {
			continue
		}
		v := &m.g.m.views[row.Partner]
		row.Indirizzo = houseStyle(addr.street, v.Upper) + " " + addr.number
		row.CAP = addr.cap
		row.Quartiere = strconv.Itoa(addr.quartiere)
	}
}

// addMember registers a member of the household not yet known to a
// partner that knows the household; nil when there is none.
func (m *months) addMember(f *family) *Row {
	for _, p := range m.partnersOf(f) {
		v := &m.g.m.views[p]
		for i := range f.h.Members {
			person := &f.h.Members[i]
			if person.Age(m.g.m.cfg.Reference) < v.MinAge || m.holds(f, p, person.ID) {
				continue
			}
			like := f.rows[slices.IndexFunc(f.rows, func(r Row) bool { return r.Partner == p })]
			addr := addressAt{street: f.h.Street, number: f.h.Number, cap: f.h.CAP, quartiere: f.h.Quartiere}
			row := Row{Partner: p, PersonID: person.ID, HouseholdID: f.h.ID, Record: v.record(m.r, m.g.m.t, person, addr, like.Bisogni)}
			m.g.records[p]++
			row.RecordID = v.Prefix + "-" + pad6(m.g.records[p])
			row.NucleoID = like.NucleoID
			f.rows = append(f.rows, row)
			return &f.rows[len(f.rows)-1]
		}
	}
	return nil
}

// dropMember removes the last record of a partner holding several
// records of the household.
func (m *months) dropMember(f *family) (Row, bool) {
	for _, p := range m.partnersOf(f) {
		n := 0
		last := -1
		for i, r := range f.rows {
			if r.Partner == p {
				n++
				last = i
			}
		}
		if n > 1 {
			row := f.rows[last]
			f.rows = slices.Delete(f.rows, last, last+1)
			return row, true
		}
	}
	return Row{}, false
}

// intercept has the first public-service partner register the household
// (as it registers any household it knows); nil when there is no such
// partner.
func (m *months) intercept(f *family) *Row {
	p := slices.IndexFunc(m.g.m.cfg.Partners, func(p Partner) bool { return !p.ThirdSector })
	if p < 0 {
		return nil
	}
	v := &m.g.m.views[p]
	n := len(f.rows)
	f.rows = v.rows(m.r, m.g.m.t, m.g.m.cfg.Reference, p, f.h, f.rows)
	m.g.nuclei[p]++
	for i := n; i < len(f.rows); i++ {
		m.g.records[p]++
		f.rows[i].RecordID = v.Prefix + "-" + pad6(m.g.records[p])
		f.rows[i].NucleoID = v.Prefix + "-N" + pad6(m.g.nuclei[p])
	}
	if n == len(f.rows) {
		return nil
	}
	return &f.rows[n]
}

// partnersOf lists the partners holding a record of the family, in order.
func (m *months) partnersOf(f *family) []int {
	var ps []int
	for _, r := range f.rows {
		if !slices.Contains(ps, r.Partner) {
			ps = append(ps, r.Partner)
		}
	}
	slices.Sort(ps)
	return ps
}

// holds reports whether partner p holds a record of person id.
func (m *months) holds(f *family, p int, id int64) bool {
	return slices.ContainsFunc(f.rows, func(r Row) bool { return r.Partner == p && r.PersonID == id })
}

// thirdSectorOnly reports whether only third-sector partners know the
// family.
func (m *months) thirdSectorOnly(f *family) bool {
	for _, p := range m.partnersOf(f) {
		if !m.g.m.cfg.Partners[p].ThirdSector {
			return false
		}
	}
	return len(f.rows) > 0
}

// write writes one month's snapshot into dir.
func (m *months) write(dir, period string, changes [][]string) (MonthStats, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return MonthStats{}, fmt.Errorf("synth: %w", err)
	}
	parts := m.g.m.cfg.Partners
	var outs []*csvOut
	defer func() {
		for _, o := range outs {
			o.f.Abort()
		}
	}()
	for _, p := range parts {
		o, err := newCSVOut(filepath.Join(dir, p.Name+".csv"), Columns)
		if err != nil {
			return MonthStats{}, err
		}
		outs = append(outs, o)
	}
	truth, err := newCSVOut(filepath.Join(dir, "truth.csv"), TruthColumns)
	if err != nil {
		return MonthStats{}, err
	}
	outs = append(outs, truth)
	chOut, err := newCSVOut(filepath.Join(dir, "changes.csv"), ChangeColumns)
	if err != nil {
		return MonthStats{}, err
	}
	outs = append(outs, chOut)
	st := MonthStats{Period: period, Changes: map[string]int{}}
	// Each partner's file lists its records in record-id order, as an
	// export sorted by id would.
	var rows []Row
	for _, f := range m.fams[:m.next] {
		if !f.active {
			continue
		}
		st.Households++
		if m.thirdSectorOnly(f) {
			st.OnlyThirdSector++
		}
		rows = append(rows, f.rows...)
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		if a.Partner != b.Partner {
			return a.Partner - b.Partner
		}
		return compareIDs(a.RecordID, b.RecordID)
	})
	for k := range rows {
		row := &rows[k]
		if err := outs[row.Partner].w.Write(row.Fields()); err != nil {
			return st, err
		}
		if err := truth.w.Write([]string{parts[row.Partner].Name, row.RecordID, strconv.FormatInt(row.PersonID, 10),
			strconv.FormatInt(row.HouseholdID, 10)}); err != nil {
			return st, err
		}
	}
	st.Records = len(rows)
	for _, c := range changes {
		st.Changes[c[1]]++
		if err := chOut.w.Write(c); err != nil {
			return st, err
		}
	}
	for _, o := range outs {
		if err := o.commit(); err != nil {
			return st, err
		}
	}
	outs = nil
	return st, nil
}

// compareIDs orders record ids of one partner (prefix-digits) by length,
// then bytes: numerically for the padded numbers.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
