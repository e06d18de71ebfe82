package synth

import (
	"math/rand/v2"
	"slices"
	"time"
)

// CanonicalNeeds are the canonical need codes, in their canonical order
// (the same codes as the taxonomy package).
var CanonicalNeeds = []string{
	"famiglia-minori", "disabilita", "dipendenze", "anziani", "immigrazione",
	"poverta-disagio-adulti", "casa", "lavoro", "salute-mentale", "salute",
}

func isCanonicalNeed(s string) bool { return slices.Contains(CanonicalNeeds, s) }

// LocalCodes returns the need codes a partner writes in the bisogni column,
// each with the canonical codes it stands for, in the order of the embedded
// table; nil for a partner without a table (it writes canonical codes).
func LocalCodes(partner string) []LocalCode {
	t, err := data()
	if err != nil {
		return nil
	}
	codes := t.needCodes[partner]
	out := make([]LocalCode, len(codes))
	for i, c := range codes {
		out[i] = LocalCode{Code: c.Code, Canonical: slices.Clone(c.Canonical)}
	}
	if codes == nil {
		return nil
	}
	return out
}

// householdFacts are the features the needs model depends on.
type householdFacts struct {
	minors, elderly, veryOld, adults int
	foreign, singleParent, alone     bool
}

func factsOf(h *Household, ref time.Time) householdFacts {
	var f householdFacts
	spouse := false
	for i := range h.Members {
		switch a := h.Members[i].Age(ref); {
		case a < 18:
			f.minors++
		case a >= 75:
			f.veryOld++
			f.elderly++
		case a >= 65:
			f.elderly++
		default:
			f.adults++
		}
		spouse = spouse || h.Members[i].Role == RoleSpouse
	}
	f.foreign = h.Country != ""
	f.singleParent = !spouse && f.minors > 0
	f.alone = len(h.Members) == 1
	return f
}

// needProbabilities gives, for each canonical need, the probability that a
// household with these facts has it. Rough rates of a district caseload:
// elderly people need care, families with children and single parents are
// poorer, migrants meet housing, work and papers problems.
func needProbabilities(f householdFacts) [10]float64 {
	var p [10]float64
	b := func(cond bool, v float64) float64 {
		if cond {
			return v
		}
		return 0
	}
	p[0] = b(f.minors > 0, 0.30) + b(f.singleParent, 0.30)                              // famiglia-minori
	p[1] = 0.06 + b(f.veryOld > 0, 0.10)                                                // disabilita
	p[2] = b(f.adults > 0, 0.03) + b(f.alone && f.adults > 0, 0.05)                     // dipendenze
	p[3] = b(f.veryOld > 0, 0.60) + b(f.elderly > f.veryOld, 0.15)                      // anziani
	p[4] = b(f.foreign, 0.45)                                                           // immigrazione
	p[5] = 0.22 + b(f.foreign, 0.20) + b(f.singleParent, 0.20) + b(f.minors >= 3, 0.10) // poverta
	p[6] = 0.08 + b(f.foreign, 0.15) + b(f.singleParent, 0.08)                          // casa
	p[7] = b(f.adults > 0, 0.15) + b(f.foreign && f.adults > 0, 0.12)                   // lavoro
	p[8] = b(f.adults > 0, 0.04) + b(f.alone, 0.03)                                     // salute-mentale
	p[9] = 0.12 + b(f.elderly > 0, 0.25)                                                // salute
	return p
}

// drawNeeds sets the household's canonical needs (at least one: every
// household of the caseload is known for something) and who bears each.
func drawNeeds(r *rand.Rand, h *Household, ref time.Time) {
	f := factsOf(h, ref)
	p := needProbabilities(f)
	for i, n := range CanonicalNeeds {
		if r.Float64() < min(p[i], 0.95) {
			h.Needs = append(h.Needs, n)
		}
	}
	if len(h.Needs) == 0 {
		h.Needs = append(h.Needs, CanonicalNeeds[pickIndex(r, p[:])])
	}
	for _, n := range h.Needs {
		for _, i := range bearers(r, h, n, ref) {
			h.Members[i].Needs = append(h.Members[i].Needs, n)
		}
	}
}

// bearers picks the members a need belongs to.
func bearers(r *rand.Rand, h *Household, need string, ref time.Time) []int {
	var pool []int
	for i := range h.Members {
		m := &h.Members[i]
		a := m.Age(ref)
		ok := false
		switch need {
		case "famiglia-minori":
			ok = a < 18 || m.Role == RoleHead || m.Role == RoleSpouse
		case "anziani":
			ok = a >= 65
		case "immigrazione":
			ok = m.Foreign && a >= 16
		case "lavoro":
			ok = a >= 18 && a < 67
		case "dipendenze", "salute-mentale":
			ok = a >= 15
		case "poverta-disagio-adulti", "casa":
			ok = m.Role == RoleHead
		default: // disabilita, salute
			ok = true
		}
		if ok {
			pool = append(pool, i)
		}
	}
	switch need {
	case "famiglia-minori", "anziani", "immigrazione":
		if len(pool) > 0 {
			return pool
		}
	}
	if len(pool) == 0 {
		return []int{0}
	}
	return []int{pool[r.IntN(len(pool))]}
}

// localNeeds writes canonical needs in a partner's local codes. Needs the
// partner has no code for are not recorded. A partner without a code
// table (an unknown name) writes the canonical codes.
func localNeeds(r *rand.Rand, codes []LocalCode, needs []string, partner Partner) []string {
	var out []string
	if codes == nil {
		for _, n := range needs {
			if inFocus(partner, n) {
				out = append(out, n)
			}
		}
		return out
	}
	covered := map[string]bool{}
	for _, n := range needs {
		if covered[n] {
			continue
		}
		var cands []LocalCode
		for _, c := range codes {
			if slices.Contains(c.Canonical, n) && allIn(c.Canonical, needs) {
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			continue
		}
		c := cands[r.IntN(len(cands))]
		out = append(out, c.Code)
		for _, x := range c.Canonical {
			covered[x] = true
		}
	}
	return out
}

func allIn(xs, set []string) bool {
	for _, x := range xs {
		if !slices.Contains(set, x) {
			return false
		}
	}
	return true
}

func inFocus(p Partner, need string) bool {
	return len(p.Focus) == 0 || slices.Contains(p.Focus, need)
}
