package synth

import (
	"fmt"
	"strings"
)

// CityHouseholds is how many households one city (Padova, with its six
// quartieri, 78 streets and their CAPs) holds in a generated run. Up to
// this many the whole run lives in Padova, as it always did, so the output
// of every seed up to this size is unchanged. Beyond it the run is a
// region: Padova keeps CityHouseholds households on average and the others
// live in the other 562 comuni of Veneto, each with its own CAP, so that
// the number of places grows with the households as it does in a real
// region (Veneto: 4.8 million residents, 563 comuni) instead of one city's
// streets and CAPs holding ever more people.
const CityHouseholds = 500_000

// padovaCode is Padova's Belfiore code.
const padovaCode = "G224"

// regionShare is the share of a run's households that live outside
// Padova: 0 up to CityHouseholds, then all but CityHouseholds of them.
func regionShare(households int) float64 {
	if households <= CityHouseholds {
		return 0
	}
	return 1 - float64(CityHouseholds)/float64(households)
}

// residence is a comune of the region with the CAP of its addresses.
type residence struct {
	Code, CAP string
}

// capPrefix is the first two digits of the CAPs of each province of
// Veneto; capitals are the province's capital comune.
var (
	capPrefix = map[string]string{"PD": "35", "VE": "30", "VR": "37", "VI": "36", "TV": "31", "BL": "32", "RO": "45"}
	capitals  = map[string]bool{"L736": true, "L781": true, "L840": true, "L407": true, "A757": true, "H620": true}
)

// addResidence records a comune of Veneto other than Padova as a place of
// residence. Its CAP is synthetic but shaped like the real ones: a
// capital's is the province's prefix and 100; the other comuni of a
// province share 40 CAPs (prefix, then 010–049), as small comuni share
// them in reality.
func (t *tables) addResidence(code, province string) {
	prefix, ok := capPrefix[province]
	if !ok || code == padovaCode {
		return
	}
	cap := prefix + "100"
	if !capitals[code] {
		k := 0
		for _, c := range t.region {
			if strings.HasPrefix(c.CAP, prefix) && !capitals[c.Code] {
				k++
			}
		}
		cap = prefix + fmt.Sprintf("%03d", 10+k%40)
	}
	t.region = append(t.region, residence{Code: code, CAP: cap})
}

// elsewhereInRegion moves h (already given a Padova address) to a comune
// of the region drawn uniformly, on a street whose name is drawn from all
// of Padova's (Via Roma, Via Dante, Via Garibaldi: the same names recur
// from comune to comune; the address column has no comune). The quartiere
// drawn for Padova is kept: the district column of a regional run keeps
// its six values.
func (b *builder) elsewhereInRegion(h *Household) {
	c := b.t.region[b.r.IntN(len(b.t.region))]
	q := 1 + b.r.IntN(6)
	st := b.t.streets[q][b.r.IntN(len(b.t.streets[q]))]
	h.Comune, h.CAP, h.Street = c.Code, c.CAP, st.Name
}
