package taxonomy

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/welfare-district/swd/internal/base"
)

// UnknownPolicy says what to do with a local code that no map knows.
type UnknownPolicy int

const (
	// UnknownFail makes MapNeeds return ErrUnknownCode.
	UnknownFail UnknownPolicy = iota
	// UnknownUnclassified maps the code to Unclassified.
	UnknownUnclassified
)

// ErrUnknownCode is returned by MapNeeds under UnknownFail.
var ErrUnknownCode = errors.New("taxonomy: unknown need code")

// ParseUnknownPolicy parses "fail" or "unclassified".
func ParseUnknownPolicy(s string) (UnknownPolicy, error) {
	switch s {
	case "fail":
		return UnknownFail, nil
	case "unclassified":
		return UnknownUnclassified, nil
	}
	return 0, fmt.Errorf("unknown-code policy must be fail or unclassified, not %q", s)
}

func (p UnknownPolicy) String() string {
	if p == UnknownUnclassified {
		return "unclassified"
	}
	return "fail"
}

// UnknownStats counts unknown local codes. The zero value is ready; it is not
// safe for concurrent use. Its reports (Counts, CountsMin) show a code only
// if it was seen often enough: rare values are aggregated, never shown.
type UnknownStats struct {
	counts map[string]int
	total  int
}

// UnknownCount is one unknown code with the number of times it was seen.
// For the RarePlaceholder line, Count is the total of the rare values and
// Distinct their number.
type UnknownCount struct {
	Code     string `json:"code"`
	Count    int    `json:"count"`
	Distinct int    `json:"distinct,omitempty"`
}

// Add counts one occurrence of code. A value that does not look like a code
// (long, with spaces or other characters codes never have, or shaped like
// an identifier) is counted under a placeholder so that free text or an
// identifier typed into the wrong column never reaches a report.
func (s *UnknownStats) Add(code string) {
	if s.counts == nil {
		s.counts = map[string]int{}
	}
	s.counts[displayCode(code)]++
	s.total++
}

// Total is the number of unknown occurrences.
func (s *UnknownStats) Total() int {
	if s == nil {
		return 0
	}
	return s.total
}

// Distinct is the number of distinct unknown values (all values that do not
// look like codes counting as one).
func (s *UnknownStats) Distinct() int {
	if s == nil {
		return 0
	}
	return len(s.counts)
}

// MinUnknownCount is the default minimum count for an unknown value to be
// shown (the minimum-frequency rule of statistical disclosure control): a
// word that looks like a code but occurs once or twice may well be personal
// data typed into the needs column by mistake (a surname), while a real
// local code missing from the map recurs.
const MinUnknownCount = 5

// MinUnknownCountFloor is the smallest minimum count CountsMin accepts: a
// value seen once is never shown.
const MinUnknownCountFloor = 2

// RarePlaceholder stands for the unknown values seen fewer times than the
// minimum count, aggregated into one line.
const RarePlaceholder = "<rare values>"

// Counts returns the unknown codes seen at least MinUnknownCount times,
// most frequent first, then by code; see CountsMin.
func (s *UnknownStats) Counts() []UnknownCount { return s.CountsMin(MinUnknownCount) }

// CountsMin returns the unknown codes seen at least minCount times (a
// minCount below MinUnknownCountFloor is raised to it), most frequent first,
// then by code,
// with NonCodePlaceholder among them. The codes seen fewer times are never
// returned: they are aggregated into a last line, RarePlaceholder, with
// their total count and their number (Distinct).
func (s *UnknownStats) CountsMin(minCount int) []UnknownCount {
	if s == nil {
		return nil
	}
	minCount = max(minCount, MinUnknownCountFloor)
	out := make([]UnknownCount, 0, len(s.counts))
	rare := UnknownCount{Code: RarePlaceholder}
	for c, n := range s.counts {
		if n < minCount && c != NonCodePlaceholder {
			rare.Count += n
			rare.Distinct++
			continue
		}
		out = append(out, UnknownCount{Code: c, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Code < out[j].Code
	})
	if rare.Distinct > 0 {
		out = append(out, rare)
	}
	return out
}

// NonCodePlaceholder stands for unknown values that do not look like codes.
const NonCodePlaceholder = "<not a code>"

// maxCodeDigits bounds the digits of a value shown as a code: a codice
// fiscale has 7 (fewer under omocodia), dates, phone numbers and record
// numbers more than 3; the embedded maps' codes have none.
const maxCodeDigits = 3

// cfLen is the length of a codice fiscale, which, fully omocodic, has no
// digit left.
const cfLen = 16

// displayCode returns code, or NonCodePlaceholder for a value that does not
// look like a code: longer than 24 characters or as long as a codice
// fiscale, with a character other than a letter, a digit, '-', '_' or '.',
// or with more than maxCodeDigits digits.
func displayCode(code string) string {
	if len(code) > 24 || len(code) == cfLen {
		return NonCodePlaceholder
	}
	digits := 0
	for _, r := range code {
		isDigit := r >= '0' && r <= '9'
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || isDigit || r == '-' || r == '_' || r == '.'
		if isDigit {
			digits++
		}
		if !ok || digits > maxCodeDigits {
			return NonCodePlaceholder
		}
	}
	return code
}

// MapNeeds translates a ';'-separated field of local codes into canonical
// codes, without duplicates, in order of first appearance. Empty items are
// ignored; a nil map accepts canonical codes only. Unknown codes are counted
// in stats (which may be nil) and handled by policy. The error never holds
// the field's value.
func MapNeeds(m *CodeMap, field string, policy UnknownPolicy, stats *UnknownStats) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(c string) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	var unknown int
	for _, item := range strings.Split(field, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		codes, ok := m.Map(item)
		if !ok {
			unknown++
			if stats != nil {
				stats.Add(item)
			}
			if policy == UnknownUnclassified {
				add(Unclassified)
			}
			continue
		}
		for _, c := range codes {
			add(c)
		}
	}
	if unknown > 0 && policy == UnknownFail {
		err := fmt.Errorf("%w: %d code(s) not in the %s map", ErrUnknownCode, unknown, partnerName(m))
		return out, base.Mark(err, base.ErrInvalidInput)
	}
	return out, nil
}

func partnerName(m *CodeMap) string {
	if m == nil {
		return "canonical"
	}
	return m.Partner + " code"
}
