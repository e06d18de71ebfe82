package dp

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"

	"github.com/welfare-district/swd/taxonomy"
)

// Household is one de-duplicated household after linkage: the unit of
// privacy. Every released count counts households, each at most once per
// cell.
type Household struct {
	// ID is the household id of the links file. It is never released and
	// never used to compute a contribution: the linkage numbers households
	// by rank, so an id changes when another household is added or
	// removed, and a contribution chosen by it would depend on other
	// households.
	ID string
	// Seed identifies the household by its own records only (pipeline:
	// HouseholdSeed of its members' partner and record ids). It seeds the
	// keyed order that chooses which needs to keep when the household has
	// more than Params.MaxNeeds, so that choice depends on nothing but the
	// household itself. Empty: the household's own district, needs and
	// partners seed the order.
	Seed string
	// District is the territorial unit (a quartiere key "1"…"6", or a
	// municipality's ISTAT code).
	District string
	// Needs are canonical need codes (the union over the partners).
	Needs []string
	// Partners are the partners that know the household.
	Partners []string
	// Flow is the household's flow since the previous period, in a
	// release from a linkage state: FlowNew, FlowIntercepted, FlowClosed
	// (a household of the previous period, counted in the flow_closed
	// table only, with its district of then) or "" (none).
	Flow string
}

// Domain lists the public partitions of the released tables. Public
// partitions are released even when empty (with noise), so their presence
// says nothing about the data. A nil Districts or Needs switches the tables
// that use them to partition selection, which spends part of the query's ε
// and δ on deciding which partitions to release.
type Domain struct {
	Districts []string
	Needs     []string
	// Partners are the partners of the linkage (their names are public);
	// the partners table has one row per count 1…len(Partners).
	Partners []string
	// Public says which partners are public services.
	Public taxonomy.PublicServices
	// OmitUnknownDistrict leaves out of the district tables the households
	// without a district (or with one not in Districts). By default they
	// are released as a row of their own, taxonomy.DistrictUnknown, a
	// public partition like the others, so that the district rows add up
	// to the total.
	OmitUnknownDistrict bool
}

// DistrictKeys are the public partitions of the district column: Districts
// and, unless omitted, taxonomy.DistrictUnknown (nil when Districts is:
// partition selection).
func (d *Domain) DistrictKeys() []string {
	if d.Districts == nil {
		return nil
	}
	keys := append([]string(nil), d.Districts...)
	if !d.OmitUnknownDistrict && !slices.Contains(keys, taxonomy.DistrictUnknown) {
		keys = append(keys, taxonomy.DistrictUnknown)
	}
	return keys
}

// districtOf is the district row a household counts in: its district, when
// public (or when the districts are chosen by partition selection);
// otherwise taxonomy.DistrictUnknown, or "" (no row) when the domain omits
// it.
func (d *Domain) districtOf(h *Household) string {
	if h.District != "" && (d.Districts == nil || slices.Contains(d.Districts, h.District)) {
		return h.District
	}
	if d.OmitUnknownDistrict {
		return ""
	}
	return taxonomy.DistrictUnknown
}

// DefaultDomain is Padova's quartieri, every need of the default taxonomy
// (Unclassified included), the given partners, and the default public
// services.
func DefaultDomain(partners []string) Domain {
	tax := taxonomy.Default()
	return Domain{
		Districts: tax.Territories().QuartiereKeys(),
		Needs:     tax.NeedCodes(true),
		Partners:  slices.Sorted(slices.Values(partners)),
		Public:    taxonomy.DefaultPublicServices(),
	}
}

// boundNeeds returns at most maxNeeds distinct needs of h that are in the
// domain (all, when allowed is nil). When it must drop some, it keeps the
// needs that come first in an order keyed by key and the household's own
// seed (never its id, a rank that other households move), so the choice is
// deterministic, a function of the household alone, and not biased towards
// any category.
func boundNeeds(h *Household, allowed map[string]bool, maxNeeds int, key string) []string {
	needs := make([]string, 0, len(h.Needs))
	for _, n := range h.Needs {
		if (allowed == nil || allowed[n]) && !slices.Contains(needs, n) {
			needs = append(needs, n)
		}
	}
	if len(needs) <= maxNeeds {
		return needs
	}
	seed := h.Seed
	if seed == "" {
		seed = contentSeed(h)
	}
	rank := func(n string) uint64 {
		sum := sha256.Sum256([]byte(key + "\x00" + seed + "\x00" + n))
		return binary.BigEndian.Uint64(sum[:8])
	}
	slices.SortFunc(needs, func(a, b string) int { return cmp.Compare(rank(a), rank(b)) })
	return needs[:maxNeeds]
}

// contentSeed is the seed of a household without one: its own district,
// needs and partners (sorted, so their order does not matter).
func contentSeed(h *Household) string {
	var b strings.Builder
	b.WriteString(h.District)
	for _, list := range [][]string{h.Needs, h.Partners} {
		b.WriteByte(0x1e)
		for _, x := range slices.Sorted(slices.Values(list)) {
			b.WriteString(x)
			b.WriteByte(0x1f)
		}
	}
	return b.String()
}

// distinctPartners returns the number of distinct partners and whether the
// household is known to a public service, to the third sector, or both.
func distinctPartners(h *Household, public taxonomy.PublicServices) (n int, pub, third bool) {
	seen := make([]string, 0, len(h.Partners))
	for _, p := range h.Partners {
		if p == "" || slices.Contains(seen, p) {
			continue
		}
		seen = append(seen, p)
		if public.IsPublic(p) {
			pub = true
		} else {
			third = true
		}
	}
	return len(seen), pub, third
}
