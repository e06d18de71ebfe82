package normalize

import "github.com/welfare-district/swd/internal/codicefiscale"

// FiscalStatus says what FiscalCode made of a value.
type FiscalStatus int

// Outcomes of FiscalCode.
const (
	FiscalMissing FiscalStatus = iota // empty after normalisation
	FiscalValid                       // well formed, check character right
	FiscalInvalid                     // present but malformed or wrong check character
)

// FiscalCode normalises an Italian fiscal code (upper case, separators
// removed), validates it (structure and check character) and returns its
// canonical form, with omocodia letters mapped back to digits so that the
// omocodic and the original code of a person agree. An invalid code is
// returned as "" with FiscalInvalid: callers treat it as missing and count it.
func FiscalCode(s string) (string, FiscalStatus) {
	cf := codicefiscale.Normalize(s)
	if cf == "" {
		return "", FiscalMissing
	}
	c, err := codicefiscale.Canonical(cf)
	if err != nil {
		return "", FiscalInvalid
	}
	return c, FiscalValid
}
