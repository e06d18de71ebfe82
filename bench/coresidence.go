package bench

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage/eval"
)

// CoResidenceConfig configures RunCoResidence: what the evidence of
// co-residence in the encodings is worth, measured with ground truth (issue
// 15, docs/linkage.md section 8).
type CoResidenceConfig struct {
	// Links is a links file of swd link --no-co-residence: households
	// joined by person links and partner household ids only.
	Links string
	// Truth is the truth file of swd synth (partner, record_id,
	// person_id, household_id).
	Truth string
	// Encoded are the partners' encoded files the links were made from,
	// with fields address, phone, postcode and birth_place and the
	// attribute district (the synth example schema).
	Encoded []string
	// Exports, when set, is the folder of swd synth's partner exports:
	// the surnames are then read in the clear for the rules that need
	// them (not evidence the encodings carry: a bound, not a method).
	Exports string
}

// CoResidenceRule is one join rule: how many household pairs it joined,
// how many of them were one true household, and the household pairwise
// counts after its joins.
type CoResidenceRule struct {
	Rule   string `json:"rule"`
	Joined int    `json:"joined"`
	Right  int    `json:"right"`
	TP     int64  `json:"tp"`
	FP     int64  `json:"fp"`
	FN     int64  `json:"fn"`
}

// CoResidenceCount is a count of pairs of linked households that are one
// true household (or, for the chance rows, pairs of different true
// households), and the record pairs across them.
type CoResidenceCount struct {
	What        string `json:"what"`
	Pairs       int    `json:"pairs"`
	RecordPairs int64  `json:"record_pairs,omitempty"`
}

// CoResidenceResult is what RunCoResidence measured.
type CoResidenceResult struct {
	Records    int `json:"records"`
	Households int `json:"households"` // linked households of the links file
	// Parts: pairs of linked households that are parts of one true
	// household, by the evidence they share.
	Parts []CoResidenceCount `json:"parts"`
	// AddressHolders: over the parts sharing an address, the median and
	// 90th percentile of the number of linked households holding it.
	AddressHoldersMedian int `json:"address_holders_median"`
	AddressHoldersP90    int `json:"address_holders_p90"`
	// Chance: pairs of different true households whose records hold the
	// same phone filter, and of these, those whose records with it also
	// share a district, a postcode or an address.
	Chance []CoResidenceCount `json:"chance"`
	Base   CoResidenceRule    `json:"base"`
	Rules  []CoResidenceRule  `json:"rules"`
}

// coRecord is one record of the links file with its evidence.
type coRecord struct {
	household  int    // linked household (index)
	true       int    // true household (index)
	partner    int    // partner index
	addr       uint64 // filter hashes, 0 when missing
	phone      uint64
	postcode   uint64
	place      uint64
	surname    uint64 // in the clear (hashed), 0 when not read
	district   string
	addrFilter []uint64
}

// coHousehold is one linked household: its records and the evidence they
// hold.
type coHousehold struct {
	records                                []int
	mask                                   uint64
	addrs, phones, postcodes, places, surs []uint64 // sorted, distinct
	districts                              []string
	recordKeys                             []uint64 // a record's address and phone together
}

// RunCoResidence measures each co-residence join rule on the linked
// households of cfg.Links against the truth.
func RunCoResidence(ctx context.Context, cfg CoResidenceConfig) (CoResidenceResult, error) {
	recs, hs, err := loadCoResidence(ctx, cfg)
	if err != nil {
		return CoResidenceResult{}, err
	}
	res := CoResidenceResult{Records: len(recs), Households: len(hs)}
	res.Parts, res.AddressHoldersMedian, res.AddressHoldersP90 = coParts(recs, hs, cfg.Exports != "")
	res.Chance = coChance(recs)
	res.Base = scoreCoResidence("none (--no-co-residence)", recs, hs, nil)
	for _, r := range coRules(recs, hs, cfg.Exports != "") {
		res.Rules = append(res.Rules, scoreCoResidence(r.name, recs, hs, r.pairs()))
	}
	return res, nil
}

func loadCoResidence(ctx context.Context, cfg CoResidenceConfig) ([]coRecord, []*coHousehold, error) {
	links, _, err := linksfile.Read(cfg.Links)
	if err != nil {
		return nil, nil, err
	}
	f, err := os.Open(cfg.Truth)
	if err != nil {
		return nil, nil, err
	}
	truth, err := eval.ReadCSV(f, cfg.Truth)
	f.Close()
	if err != nil {
		return nil, nil, err
	}
	type key struct{ partner, id string }
	type evidence struct {
		partner                      int
		addr, phone, postcode, place []uint64
		district                     string
	}
	ev := map[key]evidence{}
	partners := map[string]int{}
	for _, path := range cfg.Encoded {
		d, err := encfile.Read(ctx, path)
		if err != nil {
			return nil, nil, err
		}
		if _, dup := partners[d.Meta.Partner]; dup {
			return nil, nil, fmt.Errorf("%s: partner %q given twice", path, d.Meta.Partner)
		}
		p := len(partners)
		partners[d.Meta.Partner] = p
		col := func(name string) func(int) []uint64 {
			c := d.Field(name)
			return func(row int) []uint64 {
				if c == nil || !c.Present[row] {
					return nil
				}
				return c.Filters.At(row)
			}
		}
		addr, phone, postcode, place := col("address"), col("phone"), col("postcode"), col("birth_place")
		district := d.Attr("district")
		for row, id := range d.RecordIDs {
			e := evidence{partner: p, addr: addr(row), phone: phone(row), postcode: postcode(row), place: place(row)}
			if district != nil {
				e.district = district.Values[row]
			}
			ev[key{d.Meta.Partner, id}] = e
		}
	}
	surnames := map[key]uint64{}
	if cfg.Exports != "" {
		for name := range partners {
			if err := readSurnames(filepath.Join(cfg.Exports, name+".csv"), func(id string, s uint64) { surnames[key{name, id}] = s }); err != nil {
				return nil, nil, err
			}
		}
	}
	var recs []coRecord
	var hs []*coHousehold
	linked, trueIDs := map[int64]int{}, map[string]int{}
	for _, l := range links {
		e, ok := ev[key{l.Partner, l.RecordID}]
		if !ok {
			return nil, nil, fmt.Errorf("partner %q, record %q of the links is in no encoded file", l.Partner, l.RecordID)
		}
		lab, ok := truth.Lookup(l.Key())
		if !ok {
			return nil, nil, fmt.Errorf("partner %q, record %q of the links is not in the truth", l.Partner, l.RecordID)
		}
		h, ok := linked[l.HouseholdID]
		if !ok {
			h = len(hs)
			linked[l.HouseholdID] = h
			hs = append(hs, &coHousehold{})
		}
		t, ok := trueIDs[lab.Household]
		if !ok {
			t = len(trueIDs)
			trueIDs[lab.Household] = t
		}
		r := coRecord{household: h, true: t, partner: e.partner, addr: filterKey(e.addr), phone: filterKey(e.phone),
			postcode: filterKey(e.postcode), place: filterKey(e.place), surname: surnames[key{l.Partner, l.RecordID}],
			district: e.district, addrFilter: e.addr}
		hh := hs[h]
		hh.records = append(hh.records, len(recs))
		hh.mask |= 1 << uint(r.partner)
		hh.addrs = appendKey(hh.addrs, r.addr)
		hh.phones = appendKey(hh.phones, r.phone)
		hh.postcodes = appendKey(hh.postcodes, r.postcode)
		hh.places = appendKey(hh.places, r.place)
		hh.surs = appendKey(hh.surs, r.surname)
		if r.district != "" && !slices.Contains(hh.districts, r.district) {
			hh.districts = append(hh.districts, r.district)
		}
		if r.addr != 0 && r.phone != 0 {
			hh.recordKeys = appendKey(hh.recordKeys, mixKeys(r.addr, r.phone))
		}
		recs = append(recs, r)
	}
	if len(partners) > 64 {
		return nil, nil, errors.New("at most 64 partners")
	}
	return recs, hs, nil
}

// readSurnames reads the cognome column of a synth export.
func readSurnames(path string, fn func(id string, surname uint64)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	id, col := slices.Index(header, "record_id"), slices.Index(header, "cognome")
	if id < 0 || col < 0 {
		return fmt.Errorf("%s: no record_id or cognome column", path)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		var b strings.Builder
		for _, c := range strings.ToUpper(rec[col]) {
			if c >= 'A' && c <= 'Z' {
				b.WriteRune(c)
			}
		}
		if b.Len() > 0 {
			h := fnv.New64a()
			h.Write([]byte(b.String()))
			fn(rec[id], h.Sum64()|1)
		}
	}
}

// filterKey hashes a filter (0: missing).
func filterKey(words []uint64) uint64 {
	if words == nil {
		return 0
	}
	h := uint64(14695981039346656037)
	for _, w := range words {
		h = (h ^ w) * 1099511628211
	}
	return h | 1
}

// mixKeys hashes two keys into one (never 0).
func mixKeys(a, b uint64) uint64 {
	x := a*0x9e3779b97f4a7c15 ^ b
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	return x | 1
}

// appendKey adds k (unless 0) to the sorted distinct keys.
func appendKey(keys []uint64, k uint64) []uint64 {
	if k == 0 {
		return keys
	}
	i, found := slices.BinarySearch(keys, k)
	if found {
		return keys
	}
	return slices.Insert(keys, i, k)
}

// shareKey reports whether two sorted key lists have a key in common.
func shareKey(a, b []uint64) bool {
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}

func shareString(a, b []string) bool {
	return slices.ContainsFunc(a, func(s string) bool { return slices.Contains(b, s) })
}

// coParts counts the pairs of linked households that are parts of one
// true household, by what they share.
func coParts(recs []coRecord, hs []*coHousehold, surnames bool) ([]CoResidenceCount, int, int) {
	holders := map[uint64]int{}
	for _, h := range hs {
		for _, a := range h.addrs {
			holders[a]++
		}
	}
	sizes := map[[2]int]int64{} // (linked, true) → records
	parts := map[int][]int{}    // true household → linked households
	for _, r := range recs {
		k := [2]int{r.household, r.true}
		if sizes[k] == 0 {
			parts[r.true] = append(parts[r.true], r.household)
		}
		sizes[k]++
	}
	names := []string{"all", "of disjoint partners", "sharing a record's address and phone", "sharing a phone", "sharing an address", "sharing a postcode"}
	if surnames {
		names = append(names, "sharing a surname (in the clear)")
	}
	out := make([]CoResidenceCount, len(names))
	for i, n := range names {
		out[i].What = n
	}
	var crowd []int
	for t, ps := range parts {
		for i := range ps {
			for j := i + 1; j < len(ps); j++ {
				a, b := hs[ps[i]], hs[ps[j]]
				n := sizes[[2]int{ps[i], t}] * sizes[[2]int{ps[j], t}]
				shares := []bool{true, a.mask&b.mask == 0, shareKey(a.recordKeys, b.recordKeys), shareKey(a.phones, b.phones),
					shareKey(a.addrs, b.addrs), shareKey(a.postcodes, b.postcodes)}
				if surnames {
					shares = append(shares, shareKey(a.surs, b.surs))
				}
				for k, s := range shares {
					if s {
						out[k].Pairs++
						out[k].RecordPairs += n
					}
				}
				if shares[4] {
					m := 0
					for _, x := range a.addrs {
						if _, ok := slices.BinarySearch(b.addrs, x); ok {
							m = max(m, holders[x])
						}
					}
					crowd = append(crowd, m)
				}
			}
		}
	}
	if len(crowd) == 0 {
		return out, 0, 0
	}
	slices.Sort(crowd)
	return out, crowd[len(crowd)/2], crowd[len(crowd)*9/10]
}

// coChance counts the pairs of different true households whose records
// hold the same phone filter.
func coChance(recs []coRecord) []CoResidenceCount {
	type holder struct {
		true int
		recs []int
	}
	byPhone := map[uint64][]holder{}
	for i, r := range recs {
		if r.phone == 0 {
			continue
		}
		hs := byPhone[r.phone]
		k := slices.IndexFunc(hs, func(h holder) bool { return h.true == r.true })
		if k < 0 {
			hs = append(hs, holder{true: r.true})
			k = len(hs) - 1
		}
		hs[k].recs = append(hs[k].recs, i)
		byPhone[r.phone] = hs
	}
	out := []CoResidenceCount{{What: "pairs of different true households with one phone"}, {What: "  and one district"},
		{What: "  and one postcode"}, {What: "  and one address"}}
	same := func(a, b []int, f func(r *coRecord) string) bool {
		for _, i := range a {
			for _, j := range b {
				if x := f(&recs[i]); x != "" && x == f(&recs[j]) {
					return true
				}
			}
		}
		return false
	}
	key := func(k uint64) string {
		if k == 0 {
			return ""
		}
		return fmt.Sprint(k)
	}
	for _, hs := range byPhone {
		for i := range hs {
			for j := i + 1; j < len(hs); j++ {
				a, b := hs[i].recs, hs[j].recs
				out[0].Pairs++
				if same(a, b, func(r *coRecord) string { return r.district }) {
					out[1].Pairs++
				}
				if same(a, b, func(r *coRecord) string { return key(r.postcode) }) {
					out[2].Pairs++
				}
				if same(a, b, func(r *coRecord) string { return key(r.addr) }) {
					out[3].Pairs++
				}
			}
		}
	}
	return out
}

// coRule is a join rule: households holding one of the same keys (at most
// maxHolders of them hold it) that pass also.
type coRule struct {
	name       string
	keys       func(h *coHousehold) []uint64
	also       func(a, b *coHousehold) bool
	maxHolders int
	hs         []*coHousehold
}

// pairs returns the household pairs the rule joins, of disjoint partners,
// sorted.
func (r coRule) pairs() [][2]int {
	holders := map[uint64][]int{}
	for i, h := range r.hs {
		for _, k := range r.keys(h) {
			holders[k] = append(holders[k], i)
		}
	}
	var out [][2]int
	for _, hl := range holders {
		if len(hl) < 2 || len(hl) > r.maxHolders {
			continue
		}
		for x := range hl {
			for y := x + 1; y < len(hl); y++ {
				a, b := r.hs[hl[x]], r.hs[hl[y]]
				if a.mask&b.mask == 0 && (r.also == nil || r.also(a, b)) {
					out = append(out, [2]int{min(hl[x], hl[y]), max(hl[x], hl[y])})
				}
			}
		}
	}
	slices.SortFunc(out, func(x, y [2]int) int { return cmp.Or(cmp.Compare(x[0], y[0]), cmp.Compare(x[1], y[1])) })
	return slices.Compact(out)
}

const anyHolders = 1 << 30

func coRules(recs []coRecord, hs []*coHousehold, surnames bool) []coRule {
	phones := func(h *coHousehold) []uint64 { return h.phones }
	addrs := func(h *coHousehold) []uint64 { return h.addrs }
	placeHolders := map[uint64]int{}
	for _, h := range hs {
		for _, p := range h.places {
			placeHolders[p]++
		}
	}
	rarePlace := func(a, b *coHousehold) bool {
		for _, p := range a.places {
			if _, ok := slices.BinarySearch(b.places, p); ok && placeHolders[p] <= 100 {
				return true
			}
		}
		return false
	}
	rules := []coRule{
		{name: "a record's address and phone", keys: func(h *coHousehold) []uint64 { return h.recordKeys }, maxHolders: 2},
		{name: "a phone and an address, any records", keys: func(h *coHousehold) []uint64 {
			var ks []uint64
			for _, p := range h.phones {
				for _, a := range h.addrs {
					ks = append(ks, mixKeys(a, p))
				}
			}
			return ks
		}, maxHolders: 2},
		{name: "a phone", keys: phones, maxHolders: 2},
		{name: "a phone, in one district", keys: phones, also: func(a, b *coHousehold) bool { return shareString(a.districts, b.districts) }, maxHolders: 2},
		{name: "a phone, at one postcode", keys: phones, also: func(a, b *coHousehold) bool { return shareKey(a.postcodes, b.postcodes) }, maxHolders: 2},
		{name: "a phone, addresses' Dice >= 0.8", keys: phones, also: func(a, b *coHousehold) bool { return maxAddressDice(recs, a, b) >= 0.8 }, maxHolders: 2},
		{name: "an address", keys: addrs, maxHolders: 2},
		{name: "an address and a postcode", keys: addrs, also: func(a, b *coHousehold) bool { return shareKey(a.postcodes, b.postcodes) }, maxHolders: 2},
		{name: "an address and a birth place of <= 100 households", keys: addrs, also: rarePlace, maxHolders: 2},
		{name: "  the same, any holders", keys: addrs, also: rarePlace, maxHolders: anyHolders},
	}
	if surnames {
		sur := func(a, b *coHousehold) bool { return shareKey(a.surs, b.surs) }
		rules = append(rules,
			coRule{name: "an address and a surname (in the clear)", keys: addrs, also: sur, maxHolders: 2},
			coRule{name: "  the same, any holders", keys: addrs, also: sur, maxHolders: anyHolders})
	}
	for i := range rules {
		rules[i].hs = hs
	}
	return rules
}

// maxAddressDice is the highest Dice coefficient of two address filters
// across the two households.
func maxAddressDice(recs []coRecord, a, b *coHousehold) float64 {
	best := 0.0
	for _, i := range a.records {
		for _, j := range b.records {
			x, y := recs[i].addrFilter, recs[j].addrFilter
			if x == nil || y == nil {
				continue
			}
			var n, m, both int
			for k := range x {
				n += bits.OnesCount64(x[k])
				m += bits.OnesCount64(y[k])
				both += bits.OnesCount64(x[k] & y[k])
			}
			if n+m > 0 {
				best = max(best, 2*float64(both)/float64(n+m))
			}
		}
	}
	return best
}

// scoreCoResidence joins pairs in order, each only if the two households
// (as joined so far) have no partner in common, as cluster.Build does, and
// counts the household pairs against the truth.
func scoreCoResidence(name string, recs []coRecord, hs []*coHousehold, pairs [][2]int) CoResidenceRule {
	parent := make([]int, len(hs))
	mask := make([]uint64, len(hs))
	for i, h := range hs {
		parent[i], mask[i] = i, h.mask
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	res := CoResidenceRule{Rule: name}
	for _, p := range pairs {
		a, b := find(p[0]), find(p[1])
		if a == b || mask[a]&mask[b] != 0 {
			continue
		}
		parent[b] = a
		mask[a] |= mask[b]
		res.Joined++
		if shareTrue(recs, hs[p[0]], hs[p[1]]) {
			res.Right++
		}
	}
	cell, linked, truth := map[[2]int]int64{}, map[int]int64{}, map[int]int64{}
	for _, r := range recs {
		g := find(r.household)
		cell[[2]int{g, r.true}]++
		linked[g]++
		truth[r.true]++
	}
	pairsOf := func(n int64) int64 { return n * (n - 1) / 2 }
	var all, pred int64
	for _, n := range cell {
		res.TP += pairsOf(n)
	}
	for _, n := range linked {
		pred += pairsOf(n)
	}
	for _, n := range truth {
		all += pairsOf(n)
	}
	res.FP, res.FN = pred-res.TP, all-res.TP
	return res
}

// shareTrue reports whether two linked households hold records of one true
// household.
func shareTrue(recs []coRecord, a, b *coHousehold) bool {
	seen := map[int]bool{}
	for _, i := range a.records {
		seen[recs[i].true] = true
	}
	return slices.ContainsFunc(b.records, func(j int) bool { return seen[recs[j].true] })
}

// WriteTable prints the result as text tables.
func (r CoResidenceResult) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "records %d, linked households %d\n\n", r.Records, r.Households)
	fmt.Fprintln(tw, "pairs of linked households that are one true household\tpairs\trecord pairs")
	for _, c := range r.Parts {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", c.What, c.Pairs, c.RecordPairs)
	}
	fmt.Fprintf(tw, "linked households holding the shared address: median %d, p90 %d\n\n", r.AddressHoldersMedian, r.AddressHoldersP90)
	for _, c := range r.Chance {
		fmt.Fprintf(tw, "%s\t%d\n", c.What, c.Pairs)
	}
	fmt.Fprintln(tw, "\njoin two households of disjoint partners, the only two sharing…\tjoined\tright\ttp\tfp\tfn\tP\tR\tF1")
	for _, x := range append([]CoResidenceRule{r.Base}, r.Rules...) {
		p, rc := float64(x.TP)/float64(x.TP+x.FP), float64(x.TP)/float64(x.TP+x.FN)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%.4f\t%.4f\t%.4f\n", x.Rule, x.Joined, x.Right, x.TP, x.FP, x.FN, p, rc, 2*p*rc/(p+rc))
	}
	return tw.Flush()
}
