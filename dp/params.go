package dp

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Query names. Each is one released table.
const (
	QueryDistrictNeed  = "district_need"  // households by district × need
	QueryDistrict      = "district"       // households by district
	QueryPartners      = "partners"       // households by number of partners that know them
	QueryMissingMiddle = "missing_middle" // households known to the third sector only, by district
	QueryTotals        = "totals"         // total households, known to public services, third sector only
	// QueryNeedsSum is optional (not in DefaultSplit): the sum over the
	// households of a district of their number of (bounded) needs, a
	// clamped sum; divided by the district table it gives the mean number
	// of needs per household.
	QueryNeedsSum = "needs_sum"
)

// Queries lists the tables of a release, in release order; a release
// from a linkage state adds the flow tables (FlowQueries) after them.
var Queries = []string{QueryDistrictNeed, QueryDistrict, QueryPartners, QueryMissingMiddle, QueryTotals, QueryNeedsSum}

// knownQueries are Queries then FlowQueries, in release order.
func knownQueries() []string { return slices.Concat(Queries, FlowQueries) }

// Mechanisms.
const (
	MechanismLaplace  = "laplace"
	MechanismGaussian = "gaussian"
)

// Defaults applied by EnsureDefaults.
const (
	DefaultMaxNeeds    = 3
	DefaultMechanism   = MechanismLaplace
	DefaultConfidence  = 0.95
	DefaultBoundingKey = "swd-2026"
)

// DefaultSplit is the share of the release's ε (and δ) given to each query:
// most to the district × need table, the richest one.
var DefaultSplit = map[string]float64{
	QueryDistrictNeed:  0.4,
	QueryDistrict:      0.15,
	QueryPartners:      0.15,
	QueryMissingMiddle: 0.15,
	QueryTotals:        0.15,
}

// Params are the privacy parameters of one release. The String form is
// written into every release's metadata and parses back with Parse.
type Params struct {
	// Epsilon is the release's total ε, split across queries by Split.
	Epsilon float64
	// Delta is the release's total δ. It must be 0 with Laplace noise unless
	// partition selection needs it; Gaussian noise requires it.
	Delta float64
	// MaxNeeds bounds the need categories a household counts in (L0 of the
	// district × need table). Extra needs are dropped in a keyed order.
	MaxNeeds int
	// Mechanism is "laplace" or "gaussian".
	Mechanism string
	// Split maps a query to its share of ε and δ; shares sum to 1. Only the
	// queries listed are released.
	Split map[string]float64
	// Confidence is the level of the confidence intervals (0.95).
	Confidence float64
	// RoundTo, if above 1, rounds released values to a multiple of it
	// (post-processing; the intervals are not rounded).
	RoundTo int
	// BoundingKey seeds the keyed order in which a household's needs are
	// kept when it has more than MaxNeeds.
	BoundingKey string
	// GroupPrivacy is the number k of linked households one true household
	// may be split into that the release protects as one: the noise is
	// that of ε per linked household, and the ledger is charged k·ε (and
	// the group δ, GroupDelta), the guarantee of a household split in up
	// to k parts. 0 or 1: no group protection (a split household is
	// covered at k·ε without being charged for it).
	GroupPrivacy int
}

// MaxGroupPrivacy bounds Params.GroupPrivacy.
const MaxGroupPrivacy = 10

// Group returns the group-privacy factor k (at least 1).
func (p *Params) Group() int { return max(p.GroupPrivacy, 1) }

// GroupEpsilon is the ε that protects a true household split into k
// linked households by a release of ε per linked household: k·ε (group
// privacy).
func GroupEpsilon(epsilon float64, k int) float64 { return float64(k) * epsilon }

// GroupDelta is the δ of a group of k linked households for a release of
// (ε, δ) per linked household: k·e^((k−1)ε)·δ (0 when δ is 0).
func GroupDelta(epsilon, delta float64, k int) float64 {
	if delta == 0 || k <= 1 {
		return delta
	}
	return float64(k) * math.Exp(float64(k-1)*epsilon) * delta
}

// EnsureDefaults fills the zero fields with the defaults and returns p.
func (p *Params) EnsureDefaults() *Params {
	if p.MaxNeeds == 0 {
		p.MaxNeeds = DefaultMaxNeeds
	}
	if p.Mechanism == "" {
		p.Mechanism = DefaultMechanism
	}
	if len(p.Split) == 0 {
		p.Split = maps.Clone(DefaultSplit)
	}
	if p.Confidence == 0 {
		p.Confidence = DefaultConfidence
	}
	if p.BoundingKey == "" {
		p.BoundingKey = DefaultBoundingKey
	}
	return p
}

// Validate checks the parameters.
func (p *Params) Validate() error {
	switch {
	case !(p.Epsilon > 0) || math.IsInf(p.Epsilon, 0):
		return fmt.Errorf("dp: epsilon must be positive and finite, not %v", p.Epsilon)
	case !(p.Delta >= 0 && p.Delta < 1):
		return fmt.Errorf("dp: delta must be in [0, 1), not %v", p.Delta)
	case p.MaxNeeds < 1:
		return fmt.Errorf("dp: max needs must be at least 1, not %d", p.MaxNeeds)
	case p.Mechanism != MechanismLaplace && p.Mechanism != MechanismGaussian:
		return fmt.Errorf("dp: mechanism must be laplace or gaussian, not %q", p.Mechanism)
	case p.Mechanism == MechanismGaussian && p.Delta == 0:
		return fmt.Errorf("dp: gaussian noise needs delta > 0")
	case !(p.Confidence > 0 && p.Confidence < 1):
		return fmt.Errorf("dp: confidence must be in (0, 1), not %v", p.Confidence)
	case p.RoundTo < 0:
		return fmt.Errorf("dp: round-to must not be negative")
	case strings.ContainsAny(p.BoundingKey, " ;="):
		return fmt.Errorf("dp: bounding key must not contain spaces, ';' or '='")
	case p.GroupPrivacy < 0 || p.GroupPrivacy > MaxGroupPrivacy:
		return fmt.Errorf("dp: group privacy must be in 1…%d, not %d", MaxGroupPrivacy, p.GroupPrivacy)
	}
	return p.validateSplit()
}

func (p *Params) validateSplit() error {
	if len(p.Split) == 0 {
		return fmt.Errorf("dp: the budget split names no query")
	}
	sum := 0.0
	for q, s := range p.Split {
		if !slices.Contains(knownQueries(), q) {
			return fmt.Errorf("dp: unknown query %q in the budget split (known: %s)", q, strings.Join(knownQueries(), ", "))
		}
		if !(s > 0 && s <= 1) {
			return fmt.Errorf("dp: share of %s must be in (0, 1], not %v", q, s)
		}
		sum += s
	}
	if math.Abs(sum-1) > 1e-9 {
		return fmt.Errorf("dp: budget shares sum to %v, not 1", sum)
	}
	return nil
}

// QueryEpsilon is the ε given to query q (0 if it is not released).
func (p *Params) QueryEpsilon(q string) float64 { return p.Epsilon * p.Split[q] }

// QueryDelta is the δ given to query q.
func (p *Params) QueryDelta(q string) float64 { return p.Delta * p.Split[q] }

// ReleasedQueries returns the queries with a share, in release order.
func (p *Params) ReleasedQueries() []string {
	var out []string
	for _, q := range knownQueries() {
		if p.Split[q] > 0 {
			out = append(out, q)
		}
	}
	return out
}

// String is a stable one-line form: "epsilon=1 delta=0 mechanism=laplace
// max_needs=3 confidence=0.95 round_to=0 bounding_key=swd-2026
// split=district:0.15,district_need:0.4,missing_middle:0.15,partners:0.15,totals:0.15",
// followed by " group_privacy=K" when K > 1.
func (p *Params) String() string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	var split []string
	for _, q := range slices.Sorted(maps.Keys(p.Split)) {
		split = append(split, q+":"+f(p.Split[q]))
	}
	s := fmt.Sprintf("epsilon=%s delta=%s mechanism=%s max_needs=%d confidence=%s round_to=%d bounding_key=%s split=%s",
		f(p.Epsilon), f(p.Delta), p.Mechanism, p.MaxNeeds, f(p.Confidence), p.RoundTo, p.BoundingKey, strings.Join(split, ","))
	if p.GroupPrivacy > 1 {
		s += " group_privacy=" + strconv.Itoa(p.GroupPrivacy)
	}
	return s
}

// Parse parses the String form (fields in any order; missing fields stay
// zero). It does not validate.
func Parse(s string) (Params, error) {
	var p Params
	for _, field := range strings.Fields(s) {
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			return p, fmt.Errorf("dp: params: %q is not key=value", field)
		}
		if err := p.set(k, v); err != nil {
			return p, fmt.Errorf("dp: params: %s: %w", k, err)
		}
	}
	return p, nil
}

func (p *Params) set(k, v string) error {
	var err error
	switch k {
	case "epsilon":
		p.Epsilon, err = strconv.ParseFloat(v, 64)
	case "delta":
		p.Delta, err = strconv.ParseFloat(v, 64)
	case "mechanism":
		p.Mechanism = v
	case "max_needs":
		p.MaxNeeds, err = strconv.Atoi(v)
	case "confidence":
		p.Confidence, err = strconv.ParseFloat(v, 64)
	case "round_to":
		p.RoundTo, err = strconv.Atoi(v)
	case "bounding_key":
		p.BoundingKey = v
	case "split":
		p.Split, err = ParseSplit(v)
	case "group_privacy":
		p.GroupPrivacy, err = strconv.Atoi(v)
	default:
		err = fmt.Errorf("unknown field")
	}
	return err
}

// ParseSplit parses "query:share,query:share".
func ParseSplit(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, item := range strings.Split(s, ",") {
		q, v, ok := strings.Cut(strings.TrimSpace(item), ":")
		if !ok {
			return nil, fmt.Errorf("split item %q is not query:share", item)
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("split share of %s: %w", q, err)
		}
		out[q] = x
	}
	return out, nil
}
