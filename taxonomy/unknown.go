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
// safe for concurrent use.
type UnknownStats struct {
	counts map[string]int
	total  int
}

// UnknownCount is one unknown code with the number of times it was seen.
type UnknownCount struct {
	Code  string `json:"code"`
	Count int    `json:"count"`
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

// Counts returns the unknown codes, most frequent first, then by code.
func (s *UnknownStats) Counts() []UnknownCount {
	if s == nil {
		return nil
	}
	out := make([]UnknownCount, 0, len(s.counts))
	for c, n := range s.counts {
		out = append(out, UnknownCount{c, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Code < out[j].Code
	})
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
