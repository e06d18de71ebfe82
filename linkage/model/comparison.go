package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/welfare-district/swd/internal/base"
)

// Comparison says how one field is compared. Its levels are numbered from 0:
//
//	0                      missing on either side (weight 0)
//	1                      "else": Dice below every threshold
//	2 … 1+len(Thresholds)  Dice ≥ Thresholds[k-2] (thresholds ascending)
//	2+len(Thresholds)      identical filters, when Exact
//
// so a higher level always means more similar.
type Comparison struct {
	Field      string    `json:"field"`
	Thresholds []float64 `json:"thresholds,omitempty"` // Dice thresholds, strictly ascending, in (0, 1]
	Exact      bool      `json:"exact"`                // identical filters are a level of their own
	// TF enables the term-frequency adjustment of the exact level (needs
	// Exact): the rarer the identical filter, the larger the weight.
	TF bool `json:"tf,omitempty"`
	// Anchor marks a field that defines who a person is (names, dates,
	// sex, identifiers), as opposed to where they live (address,
	// postcode, phone, place): EM decides which pairs match on the anchors
	// alone (see Fit).
	Anchor bool `json:"anchor,omitempty"`
	// SaltedBy names the field whose value salts this field's tokens
	// (schema salt:, such as the birth year for names). When the salt is
	// present in one record and missing in the other, the two filters
	// were salted differently and cannot be compared: the field is then
	// missing for the pair (level 0), not a disagreement.
	SaltedBy string `json:"salted_by,omitempty"`
	// Group puts comparisons that are not independent of each other
	// together: a group of exactly two is fitted and scored as one joint
	// comparison over their combinations of levels (see Joint); other
	// groups are ignored. DefaultComparison groups the two name fields
	// ("name") and an address with its postcode ("location").
	Group string `json:"group,omitempty"`
	// SwapWith names another compared field whose value a record may hold
	// in this field's place and the other way round (a given name and a
	// surname written in each other's columns). Both fields must be
	// encoded under one key (schema key:), so that a filter of one can be
	// compared with a filter of the other. When the two crossed
	// comparisons (this field of one record against the other field of
	// the other record, and the reverse) reach higher levels together than
	// the straight ones, the pair takes the crossed levels. Only one of the
	// two fields names the other.
	SwapWith string `json:"swap_with,omitempty"`
}

// Groups of DefaultComparison.
const (
	GroupName     = "name"
	GroupLocation = "location"
)

// Levels is the number of levels including the missing level 0.
func (c Comparison) Levels() int {
	n := 2 + len(c.Thresholds)
	if c.Exact {
		n++
	}
	return n
}

// ExactLevel is the level of identical filters, or -1 without Exact.
func (c Comparison) ExactLevel() int {
	if !c.Exact {
		return -1
	}
	return c.Levels() - 1
}

// LevelName describes level l for reports ("missing", "else", "dice>=0.75",
// "exact").
func (c Comparison) LevelName(l int) string {
	switch {
	case l == 0:
		return "missing"
	case l == 1:
		return "else"
	case l == c.ExactLevel():
		return "exact"
	case l-2 < len(c.Thresholds):
		return "dice>=" + strconv.FormatFloat(c.Thresholds[l-2], 'g', -1, 64)
	}
	return fmt.Sprintf("level%d", l)
}

// Level maps a comparison outcome to its level: present reports whether both
// sides have a value, equal whether the filters are identical, dice their
// Dice coefficient.
func (c Comparison) Level(present, equal bool, dice float64) int {
	if !present {
		return 0
	}
	if equal && c.Exact {
		return c.Levels() - 1
	}
	l := 1
	for _, t := range c.Thresholds {
		if dice < t {
			break
		}
		l++
	}
	return l
}

// Validate checks the thresholds and options.
func (c Comparison) Validate() error {
	if c.Field == "" {
		return base.Usagef("model: comparison without a field name")
	}
	for k, t := range c.Thresholds {
		if !(t > 0 && t <= 1) {
			return base.Usagef("model: field %q: threshold %v outside (0, 1]", c.Field, t)
		}
		if k > 0 && t <= c.Thresholds[k-1] {
			return base.Usagef("model: field %q: thresholds must be strictly ascending", c.Field)
		}
	}
	if c.TF && !c.Exact {
		return base.Usagef("model: field %q: term-frequency adjustment needs the exact level", c.Field)
	}
	if c.Levels() > 64 {
		return base.Usagef("model: field %q: too many levels", c.Field)
	}
	return nil
}

// Field kinds understood by DefaultComparison; they follow the field kinds of
// the encoding schema.
const (
	KindName       = "name"
	KindDate       = "date"
	KindSex        = "sex"
	KindFiscalCode = "fiscal_code"
	KindAddress    = "address"
	KindPostcode   = "postcode"
	KindPhone      = "phone"
	KindText       = "text"
	KindExact      = "exact" // an identifier compared exactly
)

// DefaultComparison is the comparison swd uses for a field of the given kind.
// An unknown or empty kind is guessed from the field name (Italian and
// English words: nome/name, cognome/surname, data_nascita/dob, sesso/sex,
// cap/postcode, …), falling back to KindText.
//
//   - names and free text: exact, Dice ≥ 0.9, 0.75, 0.6 (no TF: see
//     docs/linkage.md, it gained nothing on the synth data and cost NCVR
//     0.007 of cluster F1, where family members share rare surnames);
//   - dates (tokenised by parts, plus the whole date): exact, ≥ 0.6, ≥ 0.4
//     (one part wrong or day and month swapped leaves 0.4–0.7);
//   - postcode, phone (q-grams plus the whole value): exact, ≥ 0.6, ≥ 0.4
//     (one wrong digit);
//   - address: exact, ≥ 0.85, 0.7, 0.55;
//   - sex, fiscal code and exact identifiers: exact only — they are
//     encoded as whole tokens, so partial Dice carries no similarity.
//
// These thresholds were read off the Dice distribution of true pairs with
// non-identical filters in FEBRL4 under the default encoding schema.
func DefaultComparison(field, kind string) Comparison {
	kind = resolveKind(field, kind)
	c := Comparison{Field: field, Exact: true}
	switch kind {
	case KindName, KindDate, KindSex, KindFiscalCode, KindExact:
		c.Anchor = true
	}
	if strings.Contains(strings.ToLower(field), "place") || strings.Contains(strings.ToLower(field), "luogo") || strings.Contains(strings.ToLower(field), "comune_nascita") {
		c.Anchor = false // a birth place is shared by a household's members as often as not
	}
	switch {
	case kind == KindName && c.Anchor:
		c.Group = GroupName
	case kind == KindAddress || kind == KindPostcode:
		c.Group = GroupLocation
	}
	switch kind {
	case KindName:
		c.Thresholds = []float64{0.6, 0.75, 0.9}
	case KindDate, KindPostcode, KindPhone:
		c.Thresholds = []float64{0.4, 0.6}
	case KindSex, KindFiscalCode, KindExact:
	case KindAddress:
		c.Thresholds = []float64{0.55, 0.7, 0.85}
	default:
		c.Thresholds = []float64{0.6, 0.75, 0.9}
	}
	return c
}

// resolveKind is kind, or the kind guessed from the field name when kind
// is empty or unknown.
func resolveKind(field, kind string) string {
	if kind == "" || !knownKind(kind) {
		return GuessKind(field)
	}
	return kind
}

func knownKind(k string) bool {
	switch k {
	case KindName, KindDate, KindSex, KindFiscalCode, KindAddress, KindPostcode, KindPhone, KindText, KindExact:
		return true
	}
	return false
}

// kindWords maps substrings of field names to kinds, most specific first.
var kindWords = []struct{ word, kind string }{
	{"codice_fiscale", KindFiscalCode}, {"codicefiscale", KindFiscalCode}, {"fiscal", KindFiscalCode}, {"cf", KindFiscalCode},
	{"soc_sec", KindExact}, {"ssn", KindExact},
	{"comune_nascita", KindName}, {"birth_place", KindName},
	{"nascita", KindDate}, {"birth", KindDate}, {"dob", KindDate}, {"date", KindDate}, {"data", KindDate}, {"_by", KindDate}, {"year", KindDate},
	{"sesso", KindSex}, {"sex", KindSex}, {"gender", KindSex},
	{"postcode", KindPostcode}, {"cap", KindPostcode}, {"zip", KindPostcode},
	{"telefono", KindPhone}, {"phone", KindPhone},
	{"indirizzo", KindAddress}, {"address", KindAddress}, {"street", KindAddress}, {"suburb", KindAddress},
	{"name", KindName}, {"nome", KindName}, {"surname", KindName}, {"cognome", KindName}, {"fname", KindName}, {"lname", KindName},
}

// GuessKind guesses a field's kind from its name; KindText when nothing fits.
func GuessKind(field string) string {
	f := "_" + strings.ToLower(field) + "_"
	for _, kw := range kindWords {
		if kw.word == "cf" {
			if f == "_cf_" {
				return kw.kind
			}
			continue
		}
		if strings.Contains(f, kw.word) {
			return kw.kind
		}
	}
	return KindText
}

// FieldInfo describes a field's encoding for DefaultComparisonFor.
type FieldInfo struct {
	Name string
	Kind string // schema kind; "" to guess from the name
	// QGrams reports that the field is tokenised into q-grams (schema
	// tokens.q > 0), so partial Dice measures similarity even for kinds
	// whose default tokenisation is whole tokens (exact identifiers, dates
	// without parts).
	QGrams bool
	// DateParts reports that a date field is tokenised by parts (year,
	// month, day, plus the whole date), the schema default.
	DateParts bool
}

// DefaultComparisonFor is DefaultComparison adjusted to the field's
// tokenisation: q-gram tokenised identifiers (a social security number as
// bigrams) and q-gram dates get the graded levels of text (≥0.6, ≥0.75,
// ≥0.9 — one wrong digit of a 7-digit number leaves Dice 0.75), whole-token
// kinds stay exact-only.
func DefaultComparisonFor(f FieldInfo) Comparison {
	c := DefaultComparison(f.Name, f.Kind)
	kind := resolveKind(f.Name, f.Kind)
	if f.QGrams && (kind == KindExact || kind == KindFiscalCode || kind == KindDate && !f.DateParts) {
		c.Thresholds = []float64{0.6, 0.75, 0.9}
	}
	return c
}

// DefaultComparisons returns DefaultComparison for each field, in order;
// kindOf may be nil.
func DefaultComparisons(fields []string, kindOf func(field string) string) []Comparison {
	out := make([]Comparison, 0, len(fields))
	for _, f := range fields {
		k := ""
		if kindOf != nil {
			k = kindOf(f)
		}
		out = append(out, DefaultComparison(f, k))
	}
	return out
}

// validateComparisons checks each comparison, that fields are distinct and
// that the patterns fit a uint64 key.
func validateComparisons(cmps []Comparison) error {
	if len(cmps) == 0 {
		return base.Usagef("model: no comparisons")
	}
	var names []string
	for _, c := range cmps {
		if err := c.Validate(); err != nil {
			return err
		}
		if slices.Contains(names, c.Field) {
			return base.Usagef("model: field %q compared twice", c.Field)
		}
		names = append(names, c.Field)
	}
	if _, err := radices(cmps); err != nil {
		return err
	}
	_, err := swapPairs(cmps)
	return err
}

// swapPairs returns the pairs of comparisons (f, g) where f's SwapWith
// names g's field.
func swapPairs(cmps []Comparison) ([][2]int, error) {
	var out [][2]int
	taken := map[int]bool{}
	for f, c := range cmps {
		if c.SwapWith == "" {
			continue
		}
		g := slices.IndexFunc(cmps, func(d Comparison) bool { return d.Field == c.SwapWith })
		switch {
		case g < 0:
			return nil, base.Usagef("model: field %q swaps with %q, which is not compared", c.Field, c.SwapWith)
		case g == f:
			return nil, base.Usagef("model: field %q swaps with itself", c.Field)
		case taken[f] || taken[g]:
			return nil, base.Usagef("model: field %q or %q is in two swaps", c.Field, c.SwapWith)
		}
		taken[f], taken[g] = true, true
		out = append(out, [2]int{f, g})
	}
	return out, nil
}
