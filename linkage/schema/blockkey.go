package schema

import (
	"fmt"
	"regexp"
	"strconv"
)

// Func is a function of a blocking-key part.
type Func string

// Blocking-key part functions.
const (
	FuncValue   Func = "value"   // the normalised value (canonical fiscal code, YYYYMMDD date…)
	FuncSoundex Func = "soundex" // Italian-aware phonetic key (alias: phonetic)
	FuncFirst   Func = "first"   // first N characters of the collapsed value
	FuncYear    Func = "year"    // year of a date
	FuncMonth   Func = "month"   // month of a date
	FuncDay     Func = "day"     // day of a date
)

// Part is one parsed part of a blocking key.
type Part struct {
	Func  Func
	Field string
	N     int // for first
}

var partRE = regexp.MustCompile(`^\s*([a-z]+)\s*\(\s*([a-z][a-z0-9_]*)\s*(?:,\s*([0-9]+)\s*)?\)\s*$`)

// ParsePart parses a blocking-key part: "soundex(surname)", "year(birth)",
// "first(name,2)", "value(cf)", or a bare field name for value(field).
// birth_year-style names are fields, not functions.
func (s *Schema) ParsePart(p string) (Part, error) {
	if identRE.MatchString(p) {
		p = "value(" + p + ")"
	}
	m := partRE.FindStringSubmatch(p)
	if m == nil {
		return Part{}, fmt.Errorf("part %q is not of the form function(field) or function(field,n) (in a YAML [list], quote a part that contains a comma)", p)
	}
	part := Part{Func: Func(m[1]), Field: m[2]}
	if part.Func == "phonetic" {
		part.Func = FuncSoundex
	}
	f := s.Field(part.Field)
	if f == nil {
		return Part{}, fmt.Errorf("part %q names the unknown field %q", p, part.Field)
	}
	if m[3] != "" {
		if part.Func != FuncFirst {
			return Part{}, fmt.Errorf("part %q: only first takes a length", p)
		}
		part.N, _ = strconv.Atoi(m[3])
	}
	if f.OPRF && part.Func != FuncValue {
		return Part{}, fmt.Errorf("part %q: field %q is pseudonymised by the keyserver (oprf): only value(%s) can use it", p, f.Name, f.Name)
	}
	switch part.Func {
	case FuncValue:
	case FuncSoundex:
		if f.Kind != KindName && f.Kind != KindText && f.Kind != KindAddress {
			return Part{}, fmt.Errorf("part %q: soundex applies to name, text and address fields", p)
		}
	case FuncFirst:
		if part.N < 1 || part.N > 32 {
			return Part{}, fmt.Errorf("part %q: first needs a length between 1 and 32, e.g. first(%s,2)", p, part.Field)
		}
	case FuncYear, FuncMonth, FuncDay:
		if f.Kind != KindDate {
			return Part{}, fmt.Errorf("part %q: %s applies to date fields", p, part.Func)
		}
	default:
		return Part{}, fmt.Errorf("part %q: unknown function %q (value, soundex, first, year, month, day)", p, part.Func)
	}
	return part, nil
}
