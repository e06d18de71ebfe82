package synth

import (
	"math/rand/v2"
	"strings"
	"time"
)

// Errors in dates, fiscal codes and addresses. Like the operators of
// spelling.go and variants.go, each returns the value unchanged when it
// does not apply.

// swapDayMonth swaps day and month when the result is a real, different
// date (day ≤ 12 and day ≠ month).
func swapDayMonth(t time.Time) (time.Time, bool) {
	d, m := t.Day(), int(t.Month())
	if d > 12 || d == m {
		return t, false
	}
	return time.Date(t.Year(), time.Month(d), m, 0, 0, 0, 0, time.UTC), true
}

// dateVariant formats t in a layout other than the preferred one: another
// office format, or one without leading zeros.
func dateVariant(r *rand.Rand, t time.Time, preferred string) string {
	var layouts []string
	for _, l := range append(append([]string{}, dateLayouts...), looseLayouts...) {
		if l != preferred && t.Format(l) != t.Format(preferred) {
			layouts = append(layouts, l)
		}
	}
	return t.Format(layouts[r.IntN(len(layouts))])
}

const (
	cfLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	cfDigits  = "0123456789"
)

// cfMistype changes one character of a fiscal code for another of the
// same kind, or swaps two neighbours: the check character catches it
// (almost always).
func cfMistype(r *rand.Rand, cf string) string {
	b := []byte(cf)
	if len(b) < 2 {
		return cf
	}
	if r.IntN(3) == 0 {
		i := r.IntN(len(b) - 1)
		if b[i] != b[i+1] {
			b[i], b[i+1] = b[i+1], b[i]
			return string(b)
		}
	}
	i := r.IntN(len(b))
	set := cfLetters
	if b[i] >= '0' && b[i] <= '9' {
		set = cfDigits
	}
	for {
		c := set[r.IntN(len(set))]
		if c != b[i] {
			b[i] = c
			return string(b)
		}
	}
}

// cfSpaced writes a fiscal code in groups, as on the plastic card:
// RSS MRA 85T10 A562S.
func cfSpaced(cf string) string {
	if len(cf) != 16 {
		return cf
	}
	return cf[:3] + " " + cf[3:6] + " " + cf[6:11] + " " + cf[11:]
}

// addressVariant rewrites "Via Roma 12" as "Via Roma, 12", "V. Roma 12",
// "Via Roma n. 12" or "Roma 12".
func addressVariant(r *rand.Rand, streetName, number string) string {
	short := streetName
	for _, p := range []string{"Via ", "VIA "} {
		if strings.HasPrefix(streetName, p) {
			short = streetName[len(p):]
		}
	}
	abbrev := streetName
	if short != streetName {
		abbrev = "V. " + short
	}
	return pickDifferent(r, streetName+" "+number, []string{
		streetName + ", " + number,
		abbrev + " " + number,
		streetName + " n. " + number,
		short + " " + number,
	})
}
