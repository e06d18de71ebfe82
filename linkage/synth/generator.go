package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
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
// holds about them. It is deterministic: the i-th household depends only
// on the seed and i. Not safe for concurrent use.
type Generator struct {
	cfg      Config
	t        *tables
	pcg      *rand.PCG
	r        *rand.Rand
	next     int64
	personID int64
	views    []partnerView
}

// partnerView is the state and calibrated model of one partner.
type partnerView struct {
	Partner
	codes          []localCode
	rates          Rates
	missingCF      float64
	pFocus, pOther float64 // probability of knowing a household with / without a focus need
	records        int64
	nuclei         int64
}

// NewGenerator validates cfg and prepares a generator.
func NewGenerator(cfg Config) (*Generator, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t, err := data()
	if err != nil {
		return nil, err
	}
	pcg := rand.NewPCG(cfg.Seed, 0)
	g := &Generator{cfg: cfg, t: t, pcg: pcg, r: rand.New(pcg)}
	pFocus := calibrate(cfg, t)
	for i, p := range cfg.Partners {
		g.views = append(g.views, partnerView{Partner: p, codes: t.needCodes[p.Name],
			rates:     RatesFor(cfg.Corruption, p.Reliability),
			missingCF: min(p.MissingCF*cfg.Corruption.scale(), 0.9),
			pFocus:    pFocus[i], pOther: otherRatio * pFocus[i]})
	}
	return g, nil
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

// Config returns the configuration with defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

// Next generates the next household and the rows the partners hold about
// it (at least one: every generated household is known to someone).
func (g *Generator) Next() (*Household, []Row) {
	g.next++
	g.pcg.Seed(mix(g.cfg.Seed), mix(g.cfg.Seed^mix(uint64(g.next))))
	b := builder{t: g.t, r: g.r, ref: g.cfg.Reference, foreign: g.cfg.ForeignShare, nextPID: &g.personID}
	h := b.household(g.next)
	known := make([]bool, len(g.views))
	any := false
	for i := range g.views {
		v := &g.views[i]
		p := v.pOther
		if hasFocus(v.Partner, h) {
			p = v.pFocus
		}
		known[i] = g.r.Float64() < p
		any = any || known[i]
	}
	if !any {
		known[g.forcedPartner(h)] = true
	}
	var rows []Row
	for i := range g.views {
		if known[i] {
			rows = g.views[i].rows(g, i, h, rows)
		}
	}
	return h, rows
}

// mix is the splitmix64 finaliser: it spreads nearby seeds (households 1,
// 2, 3 …) over unrelated PCG states.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// forcedPartner picks who knows a household nobody picked, weighted by
// share and favouring partners whose focus matches.
func (g *Generator) forcedPartner(h *Household) int {
	w := make([]float64, len(g.views))
	for i := range g.views {
		w[i] = g.views[i].HouseholdShare
		if hasFocus(g.views[i].Partner, h) {
			w[i] *= 5 // as in calibrate
		}
	}
	return pickIndex(g.r, w)
}

// members chooses the members a partner registers: the one(s) who came
// for a need in its focus, or the head, plus others at MemberShare.
func (v *partnerView) members(r *rand.Rand, h *Household, ref time.Time) []int {
	chosen := make([]bool, len(h.Members))
	eligible := func(i int) bool { return h.Members[i].Age(ref) >= v.MinAge }
	if v.PerPerson {
		for i := range h.Members {
			if eligible(i) && slices.ContainsFunc(h.Members[i].Needs, func(n string) bool { return inFocus(v.Partner, n) }) {
				chosen[i] = r.Float64() < 0.85
			}
		}
	} else {
		head := 0
		if len(h.Members) > 1 && h.Members[1].Role == RoleSpouse && r.Float64() < 0.25 {
			head = 1
		}
		chosen[head] = true
	}
	for i := range h.Members {
		if !chosen[i] && eligible(i) && r.Float64() < v.MemberShare {
			chosen[i] = true
		}
	}
	var idx []int
	for i, c := range chosen {
		if c {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		idx = []int{0}
	}
	return idx
}

// rows appends the partner's records about h.
func (v *partnerView) rows(g *Generator, pi int, h *Household, rows []Row) []Row {
	r := g.r
	v.nuclei++
	nucleo := fmt.Sprintf("%s-N%06d", v.Prefix, v.nuclei)
	addr := addressAt{street: h.Street, number: h.Number, cap: h.CAP, quartiere: h.Quartiere}
	if r.Float64() < v.rates.Moved {
		addr = g.elsewhere(h)
	}
	var hhNeeds string
	if !v.PerPerson {
		hhNeeds = strings.Join(localNeeds(r, v.codes, h.Needs, v.Partner), ";")
	}
	for _, i := range v.members(r, h, g.cfg.Reference) {
		p := &h.Members[i]
		needs := hhNeeds
		if v.PerPerson {
			needs = strings.Join(localNeeds(r, v.codes, p.Needs, v.Partner), ";")
		}
		copies := 1
		if r.Float64() < v.DuplicateRate {
			copies = 2
		}
		for range copies {
			v.records++
			rec := v.record(r, p, addr, needs)
			rec.RecordID = fmt.Sprintf("%s-%06d", v.Prefix, v.records)
			rec.NucleoID = nucleo
			rows = append(rows, Row{Partner: pi, PersonID: p.ID, HouseholdID: h.ID, Record: rec})
		}
	}
	return rows
}

// addressAt is where a partner believes a household lives.
type addressAt struct {
	street, number, cap string
	quartiere           int
}

// elsewhere is an address the household moved from (or to): half the time
// in the same quartiere.
func (g *Generator) elsewhere(h *Household) addressAt {
	q := h.Quartiere
	if g.r.Float64() < 0.5 {
		q = 1 + pickIndex(g.r, quartiereWeights)
	}
	st := g.t.streets[q][g.r.IntN(len(g.t.streets[q]))]
	return addressAt{street: st.Name, number: houseNumber(g.r), cap: st.CAP, quartiere: q}
}

// record writes a person as the partner holds them, corrupted at the
// partner's rates.
func (v *partnerView) record(r *rand.Rand, p *Person, addr addressAt, needs string) Record {
	rt := &v.rates
	hit := func(rate float64) bool { return rate > 0 && r.Float64() < rate }
	t := mustData()

	nome, cognome := p.Name, p.Surname
	if hit(rt.Translit) {
		nome = translit(r, nome, t.translit)
	}
	if hit(rt.Translit) {
		cognome = translit(r, cognome, t.translit)
	}
	if hit(rt.Compound) {
		nome = compound(r, nome)
	}
	if hit(rt.Accent) {
		nome = accent(r, nome)
	}
	if hit(rt.Accent) {
		cognome = accent(r, cognome)
	}
	if hit(rt.Particle) {
		cognome = particle(r, cognome)
	}
	nome, cognome = houseStyle(nome, v.Upper), houseStyle(cognome, v.Upper)
	nome, cognome = v.misspell(r, nome), v.misspell(r, cognome)
	if hit(rt.SwapNames) {
		nome, cognome = cognome, nome
	}

	rec := Record{Nome: nome, Cognome: cognome, Sesso: "M", Bisogni: needs}
	if p.Female {
		rec.Sesso = "F"
	}
	rec.CodiceFiscale = v.fiscalCode(r, p.CF)
	rec.DataNascita = v.date(r, p.Birth)
	rec.ComuneNascita = houseStyle(p.PlaceName, v.Upper)
	street := houseStyle(addr.street, v.Upper)
	if hit(rt.AddressTypo) {
		street = typo(r, street)
	}
	rec.Indirizzo = street + " " + addr.number
	if hit(rt.AddressFormat) {
		rec.Indirizzo = addressVariant(r, street, addr.number)
	}
	rec.CAP = addr.cap
	rec.Quartiere = strconv.Itoa(addr.quartiere)
	rec.Telefono = formatPhone(p.Phone, v.PhoneStyle)
	if hit(rt.PhoneFormat) {
		rec.Telefono = formatPhone(p.Phone, r.IntN(phoneStyles))
	}
	for _, m := range []struct {
		rate  float64
		field *string
	}{
		{rt.MissingPhone, &rec.Telefono}, {rt.MissingAddress, &rec.Indirizzo}, {rt.MissingCAP, &rec.CAP},
		{rt.MissingQuartiere, &rec.Quartiere}, {rt.MissingDate, &rec.DataNascita}, {rt.MissingSex, &rec.Sesso},
		{rt.MissingPlace, &rec.ComuneNascita}, {rt.MissingNeeds, &rec.Bisogni},
	} {
		if hit(m.rate) {
			*m.field = ""
		}
	}
	return rec
}

// misspell applies the spelling errors of data entry to a name.
func (v *partnerView) misspell(r *rand.Rand, s string) string {
	rt := &v.rates
	if rt.Phonetic > 0 && r.Float64() < rt.Phonetic {
		s = phonetic(r, s)
	}
	if rt.Typo > 0 && r.Float64() < rt.Typo {
		s = typo(r, s)
	}
	if rt.OCR > 0 && r.Float64() < rt.OCR {
		s = ocr(r, s)
	}
	if rt.CaseVariant > 0 && r.Float64() < rt.CaseVariant {
		s = caseVariant(r, s)
	}
	return s
}

func (v *partnerView) fiscalCode(r *rand.Rand, cf string) string {
	rt := &v.rates
	switch x := r.Float64(); {
	case x < v.missingCF:
		return ""
	case x < v.missingCF+rt.CFMistype:
		return cfMistype(r, cf)
	case x < v.missingCF+rt.CFMistype+rt.OCR:
		return ocr(r, cf)
	case x < v.missingCF+rt.CFMistype+rt.OCR+rt.CFLower:
		return strings.ToLower(cf)
	case x < v.missingCF+rt.CFMistype+rt.OCR+rt.CFLower+rt.CFSpaced:
		return cfSpaced(cf)
	}
	return cf
}

func (v *partnerView) date(r *rand.Rand, birth time.Time) string {
	rt := &v.rates
	if rt.SwapDayMonth > 0 && r.Float64() < rt.SwapDayMonth {
		birth, _ = swapDayMonth(birth)
	}
	s := birth.Format(v.DateLayout)
	if rt.DateFormat > 0 && r.Float64() < rt.DateFormat {
		s = dateVariant(r, birth, v.DateLayout)
	}
	if rt.OCR > 0 && r.Float64() < rt.OCR {
		s = ocr(r, s)
	}
	return s
}
