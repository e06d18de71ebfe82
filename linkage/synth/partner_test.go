package synth

import (
	"strings"
	"testing"
	"time"

	"github.com/welfare-district/swd/internal/codicefiscale"
)

// testPerson is a person with every kind of name difficulty.
func testPerson(t *testing.T) (*Person, addressAt) {
	t.Helper()
	p := &Person{ID: 1, Surname: "D'Angelo", Name: "Nicolò", Birth: time.Date(1980, 3, 7, 0, 0, 0, 0, time.UTC),
		Place: "G224", PlaceName: "PADOVA", Phone: "3471234567"}
	cf, err := codicefiscale.Compute(codicefiscale.Person{Surname: p.Surname, Name: p.Name, Birth: p.Birth, Place: p.Place})
	if err != nil {
		t.Fatal(err)
	}
	p.CF = cf
	return p, addressAt{street: "Via Roma", number: "12", cap: "35122", quartiere: 1}
}

// TestRecordOperators switches on one corruption at a time (rate 1) and
// checks that the record shows it, and that with no corruption the record
// is the clean one.
func TestRecordOperators(t *testing.T) {
	p, addr := testPerson(t)
	tests := []struct {
		name  string
		rates Rates
		check func(r Record) bool
	}{
		{"clean", Rates{}, func(r Record) bool {
			return r.Nome == "Nicolò" && r.Cognome == "D'Angelo" && r.CodiceFiscale == p.CF && r.DataNascita == "07/03/1980" &&
				r.Indirizzo == "Via Roma 12" && r.Telefono == "347 1234567" && r.Quartiere == "1" && r.ComuneNascita == "Padova"
		}},
		{"swap names", Rates{SwapNames: 1}, func(r Record) bool { return r.Nome == "D'Angelo" && r.Cognome == "Nicolò" }},
		{"swap day and month", Rates{SwapDayMonth: 1}, func(r Record) bool { return r.DataNascita == "03/07/1980" }},
		{"date format", Rates{DateFormat: 1}, func(r Record) bool { return r.DataNascita != "07/03/1980" && strings.Contains(r.DataNascita, "1980") }},
		{"accent", Rates{Accent: 1}, func(r Record) bool { return r.Nome != "Nicolò" && strings.HasPrefix(r.Nome, "Nicol") }},
		{"particle", Rates{Particle: 1}, func(r Record) bool { return r.Cognome != "D'Angelo" }},
		{"typo", Rates{Typo: 1}, func(r Record) bool {
			return editDistance(r.Nome, "Nicolò") == 1 && editDistance(r.Cognome, "D'Angelo") == 1
		}},
		{"case", Rates{CaseVariant: 1}, func(r Record) bool { return r.Nome != "Nicolò" && strings.EqualFold(r.Nome, "Nicolò") }},
		{"cf mistyped", Rates{CFMistype: 1}, func(r Record) bool { return r.CodiceFiscale != p.CF && !codicefiscale.Valid(r.CodiceFiscale) }},
		{"cf lowercase", Rates{CFLower: 1}, func(r Record) bool { return r.CodiceFiscale == strings.ToLower(p.CF) }},
		{"cf spaced", Rates{CFSpaced: 1}, func(r Record) bool {
			return codicefiscale.Normalize(r.CodiceFiscale) == p.CF && r.CodiceFiscale != p.CF
		}},
		{"address format", Rates{AddressFormat: 1}, func(r Record) bool { return r.Indirizzo != "Via Roma 12" && strings.Contains(r.Indirizzo, "Roma") }},
		{"place alias", Rates{PlaceAlias: 1}, func(r Record) bool { return r.ComuneNascita == "Padova" }}, // Padova has none
		{"phone format", Rates{PhoneFormat: 1}, func(r Record) bool { return strings.HasSuffix(r.Telefono, "1234567") }},
		{"missing", Rates{MissingPhone: 1, MissingAddress: 1, MissingCAP: 1, MissingQuartiere: 1, MissingDate: 1, MissingSex: 1, MissingPlace: 1, MissingNeeds: 1},
			func(r Record) bool {
				return r.Telefono+r.Indirizzo+r.CAP+r.Quartiere+r.DataNascita+r.Sesso+r.ComuneNascita+r.Bisogni == "" && r.Nome != ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := partnerView{Partner: DefaultPartner("caritas"), rates: tt.rates}
			r := newRand(41)
			for range 20 {
				rec := v.record(r, mustData(), p, addr, "POV")
				if !tt.check(rec) {
					t.Fatalf("record %+v", rec)
				}
			}
		})
	}
}

func TestPlaceAlias(t *testing.T) {
	p, addr := testPerson(t)
	p.Place, p.PlaceName = "Z210", "Repubblica Popolare Cinese"
	v := partnerView{Partner: DefaultPartner("caritas"), rates: Rates{PlaceAlias: 1}}
	if rec := v.record(newRand(1), mustData(), p, addr, ""); rec.ComuneNascita != "Cina" {
		t.Errorf("comune_nascita %q", rec.ComuneNascita)
	}
}

func TestRecordHouseStyle(t *testing.T) {
	p, addr := testPerson(t)
	v := partnerView{Partner: DefaultPartner("comune")}
	rec := v.record(newRand(1), mustData(), p, addr, "")
	if rec.Nome != "NICOLÒ" || rec.Cognome != "D'ANGELO" || rec.Indirizzo != "VIA ROMA 12" || rec.Telefono != "+39 347 1234567" || rec.ComuneNascita != "PADOVA" {
		t.Errorf("comune record %+v", rec)
	}
}

func TestMovedAndMissingCF(t *testing.T) {
	hs := sample(t, 1, 3)
	h := hs[0]
	v := partnerView{Partner: DefaultPartner("caritas"), rates: Rates{Moved: 1}, missingCF: 1}
	v.MemberShare = 1
	rows := v.rows(newRand(5), mustData(), DefaultReference, 0, h, nil)
	if len(rows) != len(h.Members) && len(rows) != len(h.Members)+1 {
		t.Fatalf("%d rows for %d members", len(rows), len(h.Members))
	}
	for _, r := range rows {
		if r.CodiceFiscale != "" {
			t.Error("fiscal code not missing")
		}
		if r.Indirizzo == h.Address() {
			t.Error("moved household kept its address")
		}
		if r.Indirizzo != rows[0].Indirizzo {
			t.Error("members of a moved household at different addresses")
		}
	}
}
