package synth

import (
	"fmt"
	"strings"
	"time"

	"github.com/welfare-district/swd/internal/base"
)

// Level is the amount of corruption applied to partner records.
type Level int

// Corruption levels. LevelNone writes every value exactly as generated
// (in each partner's house style); the others scale the error rates of
// the corruption model by 1, 2 and 4.
const (
	LevelNone Level = iota
	LevelLow
	LevelMedium
	LevelHigh
)

var levelNames = []string{"none", "low", "medium", "high"}

func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// ParseLevel parses none, low, medium or high.
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if s == n {
			return Level(i), nil
		}
	}
	return 0, base.Usagef("corruption level must be none, low, medium or high, not %q", s)
}

// scale is the factor applied to the base (low) error rates.
func (l Level) scale() float64 {
	return [...]float64{0, 1, 2, 4}[l]
}

// Partner describes one organisation of the district and how it sees the
// households it knows.
type Partner struct {
	Name string
	// Prefix starts the partner's record ids ("CAR" → CAR-000123).
	Prefix string
	// HouseholdShare is the target share of households the partner knows.
	HouseholdShare float64
	// MemberShare is the probability that a member other than the one who
	// brought the household to the partner is registered too.
	MemberShare float64
	// Focus lists the canonical needs that bring households to this
	// partner; a household with one of them is much more likely to be
	// known. Empty means every need.
	Focus []string
	// PerPerson: the partner records the needs of each person (a health
	// authority, a union), not of the household.
	PerPerson bool
	// MinAge is the youngest age the partner registers (0: everyone).
	MinAge int
	// DuplicateRate is the probability that a record appears twice.
	DuplicateRate float64
	// Reliability multiplies the corruption rates for this partner's data
	// entry (below 1: careful registry; above 1: volunteers on paper).
	Reliability float64
	// MissingCF is the base (corruption low) rate of records without a
	// fiscal code.
	MissingCF float64
	// DateLayout is the partner's preferred birth-date format (Go layout).
	DateLayout string
	// PhoneStyle selects how the partner writes phone numbers (0–3).
	PhoneStyle int
	// Upper: the partner's system stores names in capitals.
	Upper bool
	// ThirdSector marks voluntary and social organisations (not the
	// public services), for the "missing middle" statistics.
	ThirdSector bool
}

// DefaultPartnerNames are the partners `swd synth` generates by default.
var DefaultPartnerNames = []string{"comune", "ulss6", "caritas", "acli", "cgil"}

// DefaultPartner returns the model of a known partner, or a generic
// third-sector partner for any other name.
func DefaultPartner(name string) Partner {
	switch name {
	case "comune":
		return Partner{Name: name, Prefix: "COM", HouseholdShare: 0.35, MemberShare: 0.6,
			Focus:         []string{"famiglia-minori", "anziani", "disabilita", "poverta-disagio-adulti", "casa", "immigrazione", "dipendenze", "salute-mentale"},
			DuplicateRate: 0.005, Reliability: 0.6, MissingCF: 0.005, DateLayout: "02/01/2006", PhoneStyle: 0, Upper: true}
	case "ulss6":
		return Partner{Name: name, Prefix: "U6", HouseholdShare: 0.30, MemberShare: 0.15,
			Focus:     []string{"salute", "salute-mentale", "disabilita", "dipendenze", "anziani", "famiglia-minori"},
			PerPerson: true, DuplicateRate: 0.01, Reliability: 0.5, MissingCF: 0.002, DateLayout: "2006-01-02", PhoneStyle: 1, Upper: true}
	case "caritas":
		return Partner{Name: name, Prefix: "CAR", HouseholdShare: 0.25, MemberShare: 0.5,
			Focus:         []string{"poverta-disagio-adulti", "casa", "lavoro", "immigrazione", "famiglia-minori"},
			DuplicateRate: 0.02, Reliability: 1.6, MissingCF: 0.12, DateLayout: "02/01/2006", PhoneStyle: 2, ThirdSector: true}
	case "acli":
		return Partner{Name: name, Prefix: "ACLI", HouseholdShare: 0.30, MemberShare: 0.3,
			Focus:         []string{"poverta-disagio-adulti", "anziani", "lavoro", "disabilita", "immigrazione", "famiglia-minori"},
			DuplicateRate: 0.01, Reliability: 1.0, MissingCF: 0.01, DateLayout: "02-01-2006", PhoneStyle: 3, ThirdSector: true}
	case "cgil":
		return Partner{Name: name, Prefix: "CGIL", HouseholdShare: 0.15, MemberShare: 0.1,
			Focus:     []string{"lavoro", "casa", "anziani", "disabilita", "immigrazione"},
			PerPerson: true, MinAge: 16, DuplicateRate: 0.01, Reliability: 1.1, MissingCF: 0.03, DateLayout: "02.01.2006", PhoneStyle: 0, Upper: true, ThirdSector: true}
	}
	return Partner{Name: name, Prefix: defaultPrefix(name), HouseholdShare: 0.2, MemberShare: 0.4,
		DuplicateRate: 0.01, Reliability: 1.0, MissingCF: 0.05, DateLayout: "02/01/2006", PhoneStyle: 1, ThirdSector: true}
}

func defaultPrefix(name string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(name) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
		if b.Len() == 4 {
			break
		}
	}
	if b.Len() == 0 {
		return "P"
	}
	return b.String()
}

// Config configures a generation run.
type Config struct {
	// Households to generate (each appears in at least one partner file).
	Households int
	// Partners, in output order; nil means DefaultPartnerNames.
	Partners []Partner
	// Seed makes the output reproducible: same seed, same bytes.
	Seed uint64
	// Corruption level of the partner records.
	Corruption Level
	// ForeignShare is the share of households whose head was born abroad
	// (default 0.15).
	ForeignShare float64
	// Reference is the date ages refer to (default 2026-01-01); never the
	// clock, so output does not depend on when it runs.
	Reference time.Time
	// Workers generating households in parallel (0 or 1: none). The
	// output does not depend on it.
	Workers int
}

// DefaultReference is the date ages refer to when Config.Reference is zero.
var DefaultReference = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// PartnersByName returns the default model of each named partner.
func PartnersByName(names []string) []Partner {
	ps := make([]Partner, len(names))
	for i, n := range names {
		ps[i] = DefaultPartner(n)
	}
	return ps
}

// withDefaults fills in defaults and validates the configuration.
func (c Config) withDefaults() (Config, error) {
	if c.Households < 0 {
		return c, base.Usagef("households must not be negative")
	}
	if c.Workers < 0 {
		return c, base.Usagef("workers must not be negative")
	}
	if c.Partners == nil {
		c.Partners = PartnersByName(DefaultPartnerNames)
	}
	if len(c.Partners) == 0 {
		return c, base.Usagef("at least one partner is needed")
	}
	c.Partners = append([]Partner(nil), c.Partners...)
	if c.ForeignShare == 0 {
		c.ForeignShare = 0.15
	}
	if c.ForeignShare < 0 || c.ForeignShare > 1 {
		return c, base.Usagef("foreign share must be between 0 and 1")
	}
	if c.Reference.IsZero() {
		c.Reference = DefaultReference
	}
	if c.Corruption < LevelNone || c.Corruption > LevelHigh {
		return c, base.Usagef("unknown corruption level %d", int(c.Corruption))
	}
	seen := map[string]bool{}
	prefixes := map[string]bool{}
	for i, p := range c.Partners {
		if err := p.validate(); err != nil {
			return c, err
		}
		if seen[p.Name] {
			return c, base.Usagef("partner %q listed twice", p.Name)
		}
		seen[p.Name] = true
		if prefixes[p.Prefix] {
			p.Prefix = fmt.Sprintf("%s%d", p.Prefix, i+1)
			c.Partners[i] = p
		}
		prefixes[p.Prefix] = true
	}
	return c, nil
}

func (p Partner) validate() error {
	if p.Name == "" || strings.ContainsAny(p.Name, `/\:*?"<>|`) || p.Name == "truth" || strings.HasPrefix(p.Name, ".") {
		return base.Usagef("partner name %q cannot name a file", p.Name)
	}
	for _, r := range []float64{p.HouseholdShare, p.MemberShare, p.DuplicateRate, p.MissingCF} {
		if r < 0 || r > 1 {
			return base.Usagef("partner %q: shares and rates must be between 0 and 1", p.Name)
		}
	}
	if p.HouseholdShare == 0 {
		return base.Usagef("partner %q: household share must be positive", p.Name)
	}
	if p.Reliability < 0 {
		return base.Usagef("partner %q: reliability must not be negative", p.Name)
	}
	if p.Prefix == "" || p.DateLayout == "" {
		return base.Usagef("partner %q: prefix and date layout are required", p.Name)
	}
	for _, n := range p.Focus {
		if !isCanonicalNeed(n) {
			return base.Usagef("partner %q: unknown need %q in focus", p.Name, n)
		}
	}
	return nil
}
