package pipeline

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/taxonomy"
)

// Default attribute names, as in the synthetic example schema
// (docs/examples/synth/schema.yaml).
const (
	DefaultDistrictAttr = "district"
	DefaultNeedsAttr    = "needs"
)

// HouseholdConfig configures BuildHouseholds. The zero value uses the
// default attribute names, the embedded code maps, the policy "fail" for
// unknown codes and no public service.
type HouseholdConfig struct {
	// DistrictAttr and NeedsAttr name the attribute columns of the encoded
	// files holding the district and the ';'-separated local need codes.
	DistrictAttr string
	NeedsAttr    string
	// Maps overrides the code map of some partners; other partners use
	// taxonomy.MapFor (canonical codes only for a partner without one).
	Maps map[string]*taxonomy.CodeMap
	// Unknown says what to do with a need code no map knows.
	Unknown taxonomy.UnknownPolicy
	// Public lists the public-service partners (they break district ties;
	// Publish counts the "missing middle" with them). Empty: none (ties go
	// to the lowest code); Publish then needs a district file.
	Public taxonomy.PublicServices
}

func (c HouseholdConfig) withDefaults() HouseholdConfig {
	if c.DistrictAttr == "" {
		c.DistrictAttr = DefaultDistrictAttr
	}
	if c.NeedsAttr == "" {
		c.NeedsAttr = DefaultNeedsAttr
	}
	return c
}

func (c HouseholdConfig) codeMap(partner string) *taxonomy.CodeMap {
	if m, ok := c.Maps[partner]; ok {
		return m
	}
	return taxonomy.MapFor(partner)
}

// Stats describes a household table. Every number is a count over the whole
// input, never a value of a record.
type Stats struct {
	Households int `json:"households"`
	Records    int `json:"records"`
	// NoDistrict counts households none of whose records has a district.
	NoDistrict int `json:"households_without_district"`
	// DistrictTies counts households whose district was chosen by a
	// tie-break (several values equally frequent).
	DistrictTies int `json:"district_ties"`
	// OutsideTerritory counts households whose district is not one of the
	// released districts (Publish sets it); like those without a
	// district, they are released in the row "district unknown".
	OutsideTerritory int `json:"households_outside_territory"`
	// NoNeeds counts households with no need at all.
	NoNeeds  int            `json:"households_without_needs"`
	Partners []PartnerStats `json:"partners"`
}

// UnknownCodes is the number of unknown need codes over all partners.
func (s *Stats) UnknownCodes() int {
	n := 0
	for _, p := range s.Partners {
		n += p.UnknownCodes
	}
	return n
}

// PartnerStats describes one partner's records.
type PartnerStats struct {
	Partner string `json:"partner"`
	Records int    `json:"records"`
	// MapVersion is the version of the code map used ("canonical only" for
	// a partner without one).
	MapVersion string `json:"map_version"`
	// UnknownCodes counts occurrences of need codes the map does not know
	// and UnknownDistinct the distinct ones; Unknown lists them with their
	// counts (values that do not look like codes are counted as
	// taxonomy.NonCodePlaceholder, values seen fewer than
	// taxonomy.MinUnknownCount times as one taxonomy.RarePlaceholder line:
	// neither is ever shown).
	UnknownCodes    int                     `json:"unknown_codes"`
	UnknownDistinct int                     `json:"unknown_distinct"`
	Unknown         []taxonomy.UnknownCount `json:"unknown,omitempty"`
}

// member is one record of a household: its partner, record id and
// attribute values.
type member struct {
	partner  string
	recordID string
	district string
	needs    []string
}

// BuildHouseholds joins links to the records of ds and returns one
// dp.Household per household of the links, ordered by household id. Every
// link must name a record of one of the files and every record must have a
// link; each file must be a different partner's. Errors are marked
// base.ErrInvalidInput and give counts, never a record's values.
func BuildHouseholds(links []cluster.Link, ds []*encoding.Dataset, cfg HouseholdConfig) ([]dp.Household, Stats, error) {
	cfg = cfg.withDefaults()
	parts, err := indexPartners(ds, cfg)
	if err != nil {
		return nil, Stats{}, err
	}
	members, err := joinLinks(links, parts)
	if err != nil {
		return nil, Stats{}, err
	}
	var st Stats
	for _, name := range slices.Sorted(maps.Keys(parts)) {
		st.Records += parts[name].ds.Len()
		st.Partners = append(st.Partners, parts[name].stats())
	}
	if cfg.Unknown == taxonomy.UnknownFail {
		if err := unknownError(st.Partners); err != nil {
			return nil, st, err
		}
	}
	out := make([]dp.Household, 0, len(members))
	for _, id := range slices.Sorted(maps.Keys(members)) {
		h, tie := household(id, members[id], cfg.Public)
		if h.District == "" {
			st.NoDistrict++
		}
		if tie {
			st.DistrictTies++
		}
		if len(h.Needs) == 0 {
			st.NoNeeds++
		}
		out = append(out, h)
	}
	st.Households = len(out)
	return out, st, nil
}

// Member is one record of a household for HouseholdOf: its partner, its
// record id (as in the links file), its district (trimmed) and its
// canonical needs (taxonomy.MapNeeds of its partner's codes).
type Member struct {
	Partner  string
	RecordID string
	District string
	Needs    []string
}

// HouseholdOf derives household id from its members exactly as
// BuildHouseholds does (partners and needs united, the district by vote,
// the seed from the members' partners and record ids), for a caller that
// groups the members itself (swd-beam); tie reports whether the district
// needed a tie-break.
func HouseholdOf(id int64, ms []Member, public taxonomy.PublicServices) (dp.Household, bool) {
	in := make([]member, len(ms))
	for i, m := range ms {
		in[i] = member{partner: m.Partner, recordID: m.RecordID, district: m.District, needs: m.Needs}
	}
	return household(id, in, public)
}

// seedDomain separates HouseholdSeed's hash from every other use of
// SHA-256 in swd.
const seedDomain = "swd household seed v1\x00"

// HouseholdSeed is the dp.Household.Seed of the household made of the
// given records (partners[i] holds recordIDs[i]; their order does not
// matter): SHA-256 over the sorted (partner, record id) pairs, in hex. It
// depends on the household's own records only — never on the id the
// linkage gave it, a rank that renumbers when another household is added
// or removed — so the needs kept for a household with more than max_needs
// are a function of that household alone, as the DP guarantee needs. The
// record ids are the partners' own (or their keyed pseudonyms), stable from
// one month's export to the next, so an unchanged household keeps the same
// needs from one release to the next.
func HouseholdSeed(partners, recordIDs []string) string {
	type pair struct{ partner, id string }
	pairs := make([]pair, len(partners))
	for i := range partners {
		pairs[i] = pair{partners[i], recordIDs[i]}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		return cmp.Or(strings.Compare(a.partner, b.partner), strings.Compare(a.id, b.id))
	})
	h := sha256.New()
	h.Write([]byte(seedDomain))
	var n [8]byte
	for _, p := range pairs {
		for _, s := range []string{p.partner, p.id} { // length-prefixed: no two lists hash alike
			binary.BigEndian.PutUint64(n[:], uint64(len(s)))
			h.Write(n[:])
			h.Write([]byte(s))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// unknownError reports, under the policy "fail", how many codes of which
// partner no map knows.
func unknownError(ps []PartnerStats) error {
	var msgs []string
	for _, p := range ps {
		if p.UnknownCodes > 0 {
			msgs = append(msgs, fmt.Sprintf("%s %d (%d distinct)", p.Partner, p.UnknownCodes, p.UnknownDistinct))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return base.Invalidf("%w: need codes no code map knows, by partner: %s (check them with swd taxonomy check, give a map with --map, or count them as %q)",
		taxonomy.ErrUnknownCode, strings.Join(msgs, ", "), taxonomy.Unclassified)
}

// household derives one household from its members; tie reports whether
// the district needed a tie-break.
func household(id int64, ms []member, public taxonomy.PublicServices) (dp.Household, bool) {
	h := dp.Household{ID: strconv.FormatInt(id, 10)}
	votes := map[string]*vote{}
	partners, records := make([]string, len(ms)), make([]string, len(ms))
	for i, m := range ms {
		partners[i], records[i] = m.partner, m.recordID
		if !slices.Contains(h.Partners, m.partner) {
			h.Partners = append(h.Partners, m.partner)
		}
		for _, n := range m.needs {
			if !slices.Contains(h.Needs, n) {
				h.Needs = append(h.Needs, n)
			}
		}
		if m.district == "" {
			continue
		}
		v := votes[m.district]
		if v == nil {
			v = &vote{code: m.district}
			votes[m.district] = v
		}
		v.all++
		if public.IsPublic(m.partner) {
			v.public++
		}
	}
	slices.Sort(h.Partners)
	slices.Sort(h.Needs)
	h.Seed = HouseholdSeed(partners, records)
	var tie bool
	h.District, tie = chooseDistrict(votes)
	return h, tie
}

type vote struct {
	code        string
	all, public int
}

// chooseDistrict picks the most frequent value; ties go to more votes from
// public services, then to the lowest code.
func chooseDistrict(votes map[string]*vote) (string, bool) {
	if len(votes) == 0 {
		return "", false
	}
	vs := make([]*vote, 0, len(votes))
	for _, v := range votes {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b *vote) int {
		if c := cmp.Compare(b.all, a.all); c != 0 {
			return c
		}
		if c := cmp.Compare(b.public, a.public); c != 0 {
			return c
		}
		return compareCodes(a.code, b.code)
	})
	return vs[0].code, len(vs) > 1 && vs[1].all == vs[0].all
}

// compareCodes orders codes numerically when both are unsigned integers
// ("2" < "10"), otherwise as strings.
func compareCodes(a, b string) int {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	if errA == nil && errB == nil && x != y {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}

// countOutside sets OutsideTerritory: the households with a district the
// domain does not release.
func (s *Stats) countOutside(hs []dp.Household, d dp.Domain) {
	s.OutsideTerritory = 0
	if d.Districts == nil {
		return
	}
	for _, h := range hs {
		if h.District != "" && !slices.Contains(d.Districts, h.District) {
			s.OutsideTerritory++
		}
	}
}
