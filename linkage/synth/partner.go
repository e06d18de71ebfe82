package synth

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// partnerView is the calibrated model of one partner. It is not changed
// once built, so workers share it.
type partnerView struct {
	Partner
	codes          []LocalCode
	rates          Rates
	missingCF      float64
	pFocus, pOther float64 // probability of knowing a household with / without a focus need
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

// rows appends the partner's records about h, without their ids (see
// Generator.number).
func (v *partnerView) rows(r *rand.Rand, t *tables, ref time.Time, pi int, h *Household, rows []Row) []Row {
	addr := addressAt{street: h.Street, number: h.Number, cap: h.CAP, quartiere: h.Quartiere}
	if r.Float64() < v.rates.Moved {
		addr = elsewhere(r, t, h)
	}
	var hhNeeds string
	if !v.PerPerson {
		hhNeeds = strings.Join(localNeeds(r, v.codes, h.Needs, v.Partner), ";")
	}
	for _, i := range v.members(r, h, ref) {
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
			rows = append(rows, Row{Partner: pi, PersonID: p.ID, HouseholdID: h.ID, Record: v.record(r, t, p, addr, needs)})
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
// in the same quartiere; a household outside Padova keeps its comune's CAP.
func elsewhere(r *rand.Rand, t *tables, h *Household) addressAt {
	q := h.Quartiere
	if r.Float64() < 0.5 {
		q = 1 + pickIndex(r, quartiereWeights)
	}
	st := t.streets[q][r.IntN(len(t.streets[q]))]
	a := addressAt{street: st.Name, number: houseNumber(r), cap: st.CAP, quartiere: q}
	if h.Comune != "" && h.Comune != padovaCode {
		a.cap = h.CAP // a regional household moves within its comune
	}
	return a
}

// record writes a person as the partner holds them, corrupted at the
// partner's rates.
func (v *partnerView) record(r *rand.Rand, t *tables, p *Person, addr addressAt, needs string) Record {
	rt := &v.rates
	hit := func(rate float64) bool { return rate > 0 && r.Float64() < rate }

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
	place := p.PlaceName
	if alias, ok := t.placeAliases[place]; ok && hit(rt.PlaceAlias) {
		place = alias
	}
	rec.ComuneNascita = houseStyle(place, v.Upper)
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
