package synth

import (
	"math/rand/v2"
	"strconv"
)

// Columns is the header of every partner file, in order (the data
// contract of docs/synth.md and the brief).
var Columns = []string{
	"record_id", "nucleo_id", "codice_fiscale", "nome", "cognome", "sesso", "data_nascita",
	"comune_nascita", "indirizzo", "cap", "telefono", "quartiere", "bisogni",
}

// TruthColumns is the header of truth.csv.
var TruthColumns = []string{"partner", "record_id", "person_id", "household_id"}

// Record is one row of a partner file, as the partner wrote it.
type Record struct {
	RecordID, NucleoID, CodiceFiscale, Nome, Cognome, Sesso, DataNascita string
	ComuneNascita, Indirizzo, CAP, Telefono, Quartiere, Bisogni          string
}

// Fields returns the record's values in Columns order.
func (r *Record) Fields() []string {
	return []string{r.RecordID, r.NucleoID, r.CodiceFiscale, r.Nome, r.Cognome, r.Sesso, r.DataNascita,
		r.ComuneNascita, r.Indirizzo, r.CAP, r.Telefono, r.Quartiere, r.Bisogni}
}

// Row is a record with where it goes and whom it is about.
type Row struct {
	Partner     int // index into Config.Partners
	PersonID    int64
	HouseholdID int64
	Record
}

// Generator produces households one at a time with the rows each partner
// holds about them. It is deterministic: the i-th household and its rows
// depend only on the seed and i; ids are then numbered in order. Not safe
// for concurrent use.
type Generator struct {
	m        *model
	src      *source
	next     int64 // households generated
	personID int64 // last person id given
	nuclei   []int64
	records  []int64
	seen     []bool // partner already numbered in the current household
}

// NewGenerator validates cfg and prepares a generator.
func NewGenerator(cfg Config) (*Generator, error) {
	m, err := newModel(cfg)
	if err != nil {
		return nil, err
	}
	n := len(m.cfg.Partners)
	return &Generator{m: m, src: newSource(), nuclei: make([]int64, n), records: make([]int64, n), seen: make([]bool, n)}, nil
}

// Config returns the configuration with defaults filled in.
func (g *Generator) Config() Config { return g.m.cfg }

// Next generates the next household and the rows the partners hold about
// it (at least one: every generated household is known to someone).
func (g *Generator) Next() (*Household, []Row) {
	g.next++
	h, rows := g.m.household(g.src, g.next)
	g.number(h, rows)
	return h, rows
}

// number gives the household's people their run-wide ids and the rows
// their partners' record and household ids, in generation order.
func (g *Generator) number(h *Household, rows []Row) {
	for i := range h.Members {
		h.Members[i].ID += g.personID
	}
	clear(g.seen)
	for i := range rows {
		row := &rows[i]
		p := row.Partner
		row.PersonID += g.personID
		if !g.seen[p] {
			g.seen[p] = true
			g.nuclei[p]++
		}
		g.records[p]++
		prefix := g.m.views[p].Prefix
		row.RecordID = prefix + "-" + pad6(g.records[p])
		row.NucleoID = prefix + "-N" + pad6(g.nuclei[p])
	}
	g.personID += int64(len(h.Members))
}

// pad6 writes n with at least six digits.
func pad6(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) >= 6 {
		return s
	}
	return "000000"[len(s):] + s
}

// source is a reseedable random source: one per goroutine.
type source struct {
	pcg *rand.PCG
	r   *rand.Rand
}

func newSource() *source {
	pcg := rand.NewPCG(0, 0)
	return &source{pcg: pcg, r: rand.New(pcg)}
}

// seed positions the source on household i of the run with this seed.
func (s *source) seed(seed uint64, i int64) {
	s.pcg.Seed(mix(seed), mix(seed^mix(uint64(i))))
}

// mix is the splitmix64 finaliser: it spreads nearby seeds (households 1,
// 2, 3 …) over unrelated PCG states.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// model is everything that does not change during a run: configuration,
// tables, calibrated partners. Workers share it.
type model struct {
	cfg   Config
	t     *tables
	views []partnerView
}

func newModel(cfg Config) (*model, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t, err := data()
	if err != nil {
		return nil, err
	}
	m := &model{cfg: cfg, t: t}
	pFocus := calibrate(cfg, t)
	for i, p := range cfg.Partners {
		m.views = append(m.views, partnerView{Partner: p, codes: t.needCodes[p.Name],
			rates:     RatesFor(cfg.Corruption, p.Reliability),
			missingCF: min(p.MissingCF*cfg.Corruption.scale(), 0.9),
			pFocus:    pFocus[i], pOther: otherRatio * pFocus[i]})
	}
	return m, nil
}

// household generates household i (1-based) and its partner rows, with
// household-local person ids (1…size) and no record or nucleo ids.
func (m *model) household(s *source, i int64) (*Household, []Row) {
	s.seed(m.cfg.Seed, i)
	r := s.r
	var pid int64
	b := builder{t: m.t, r: r, ref: m.cfg.Reference, foreign: m.cfg.ForeignShare, outside: regionShare(m.cfg.Households), nextPID: &pid}
	h := b.household(i)
	known := make([]bool, len(m.views))
	any := false
	for j := range m.views {
		v := &m.views[j]
		p := v.pOther
		if hasFocus(v.Partner, h) {
			p = v.pFocus
		}
		known[j] = r.Float64() < p
		any = any || known[j]
	}
	if !any {
		known[m.forcedPartner(r, h)] = true
	}
	var rows []Row
	for j := range m.views {
		if known[j] {
			rows = m.views[j].rows(r, m.t, m.cfg.Reference, j, h, rows)
		}
	}
	return h, rows
}

// forcedPartner picks who knows a household nobody picked, weighted by
// share and favouring partners whose focus matches.
func (m *model) forcedPartner(r *rand.Rand, h *Household) int {
	w := make([]float64, len(m.views))
	for i := range m.views {
		w[i] = m.views[i].HouseholdShare
		if hasFocus(m.views[i].Partner, h) {
			w[i] *= 5 // as in calibrate
		}
	}
	return pickIndex(r, w)
}

// otherRatio is how much less likely a partner is to know a household
// with no need in its focus.
const otherRatio = 0.15

// calibrate finds, on a fixed sample of households, each partner's
// probability of knowing a household with a need in its focus (pFocus;
// otherRatio·pFocus without), such that the expected share of households
// it knows, counting the households nobody picked and that are then given
// to one partner (forcedPartner), is its HouseholdShare.
func calibrate(cfg Config, t *tables) []float64 {
	const n = 2000
	r := rand.New(rand.NewPCG(0x5eed, 0xca1))
	var pid int64
	b := builder{t: t, r: r, ref: cfg.Reference, foreign: cfg.ForeignShare, nextPID: &pid}
	np := len(cfg.Partners)
	focus := make([][]bool, n)
	for i := range focus {
		h := b.household(int64(i))
		focus[i] = make([]bool, np)
		for j, p := range cfg.Partners {
			focus[i][j] = hasFocus(p, h)
		}
	}
	pf := make([]float64, np)
	for j, p := range cfg.Partners {
		pf[j] = p.HouseholdShare
	}
	share := make([]float64, np)
	w := make([]float64, np)
	for range 30 {
		clear(share)
		for _, f := range focus {
			none, wsum := 1.0, 0.0
			for j, p := range cfg.Partners {
				q := pf[j] * otherRatio
				w[j] = p.HouseholdShare
				if f[j] {
					q = pf[j]
					w[j] *= 5
				}
				share[j] += q
				none *= 1 - q
				wsum += w[j]
			}
			for j := range share {
				share[j] += none * w[j] / wsum
			}
		}
		for j, p := range cfg.Partners {
			pf[j] = min(pf[j]*p.HouseholdShare/(share[j]/n), 0.97)
		}
	}
	return pf
}

func hasFocus(p Partner, h *Household) bool {
	for _, n := range h.Needs {
		if inFocus(p, n) {
			return true
		}
	}
	return false
}
