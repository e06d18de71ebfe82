package synth

// Rates are the probabilities of each corruption, per record and field, at
// corruption level low. Medium doubles them, high quadruples them (capped
// at 0.9); a partner's Reliability multiplies them too. The "variant"
// rates apply only to values the variant can change (a surname with a
// particle, a name with an accent, a compound given name, a name with
// other spellings).
type Rates struct {
	Typo, Phonetic, OCR                     float64 // per name field
	SwapNames, SwapDayMonth, DateFormat     float64 // per record
	Particle, Accent, Compound, Translit    float64 // per eligible name
	PlaceAlias                              float64 // per country with a common other name (Cina)
	CaseVariant                             float64 // per name field
	Moved                                   float64 // per household and partner
	CFMistype, CFLower, CFSpaced            float64 // per record
	AddressFormat, AddressTypo, PhoneFormat float64 // per record

	// missing values, per record
	MissingPhone, MissingAddress, MissingCAP, MissingQuartiere float64
	MissingDate, MissingSex, MissingPlace, MissingNeeds        float64
}

// LowRates are the rates at corruption level low.
var LowRates = Rates{
	Typo: 0.02, Phonetic: 0.01, OCR: 0.004,
	SwapNames: 0.01, SwapDayMonth: 0.006, DateFormat: 0.03,
	Particle: 0.25, Accent: 0.3, Compound: 0.2, Translit: 0.25, PlaceAlias: 0.3,
	CaseVariant: 0.03,
	Moved:       0.03,
	CFMistype:   0.01, CFLower: 0.02, CFSpaced: 0.01,
	AddressFormat: 0.08, AddressTypo: 0.01, PhoneFormat: 0.08,
	MissingPhone: 0.08, MissingAddress: 0.02, MissingCAP: 0.03, MissingQuartiere: 0.05,
	MissingDate: 0.005, MissingSex: 0.01, MissingPlace: 0.03, MissingNeeds: 0.02,
}

// scaled returns the rates multiplied by f, each capped at 0.9.
func (r Rates) scaled(f float64) Rates {
	c := func(x float64) float64 { return min(x*f, 0.9) }
	return Rates{
		Typo: c(r.Typo), Phonetic: c(r.Phonetic), OCR: c(r.OCR),
		SwapNames: c(r.SwapNames), SwapDayMonth: c(r.SwapDayMonth), DateFormat: c(r.DateFormat),
		Particle: c(r.Particle), Accent: c(r.Accent), Compound: c(r.Compound), Translit: c(r.Translit),
		PlaceAlias:  c(r.PlaceAlias),
		CaseVariant: c(r.CaseVariant), Moved: c(r.Moved),
		CFMistype: c(r.CFMistype), CFLower: c(r.CFLower), CFSpaced: c(r.CFSpaced),
		AddressFormat: c(r.AddressFormat), AddressTypo: c(r.AddressTypo), PhoneFormat: c(r.PhoneFormat),
		MissingPhone: c(r.MissingPhone), MissingAddress: c(r.MissingAddress), MissingCAP: c(r.MissingCAP),
		MissingQuartiere: c(r.MissingQuartiere), MissingDate: c(r.MissingDate), MissingSex: c(r.MissingSex),
		MissingPlace: c(r.MissingPlace), MissingNeeds: c(r.MissingNeeds),
	}
}

// RatesFor returns the rates at a level for a partner of the given
// reliability.
func RatesFor(l Level, reliability float64) Rates {
	return LowRates.scaled(l.scale() * reliability)
}
