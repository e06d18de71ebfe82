package encoding

import (
	"strconv"
	"unicode/utf8"

	"github.com/welfare-district/swd/linkage/normalize"
	"github.com/welfare-district/swd/linkage/schema"
)

// status is what normalisation made of a field's cell(s).
type status uint8

const (
	stMissing status = iota
	stPresent
	stInvalid // present but unusable: unparseable date, invalid fiscal code, unknown sex
)

// value is a normalised field value.
type value struct {
	st   status
	norm string         // normalised value ("" unless present)
	oprf string         // keyserver pseudonym (hex) of norm, for oprf fields
	date normalize.Date // date fields
	phon string         // phonetic code of norm, for fields in soundex() blocking-key parts
}

// fieldPlan is the compiled form of a schema field.
type fieldPlan struct {
	schema.Field
	index     int // position in the schema
	precision normalize.Precision
	layouts   *normalize.DateLayouts // date fields: Formats, compiled
	salt      int                    // index of the salt field, or -1
	outBits   int
	key       []byte
	clkPerm   []uint32 // a field keyed with another's key: where its CLK positions go (see keyFields)
	phonetic  bool     // a soundex() blocking-key part reads this field: normalise fills value.phon
}

// invalidReason says, without the value, why a present cell is unusable.
func (p *fieldPlan) invalidReason() string {
	switch p.Kind {
	case schema.KindDate:
		return "unrecognised date format (not one of the schema's formats) or implausible date"
	case schema.KindFiscalCode:
		return "invalid fiscal code (structure or check character)"
	case schema.KindSex:
		return "unrecognised sex value"
	}
	return "invalid value"
}

// normalise turns the raw cell text (columns joined, trimmed, not a missing
// marker) into a value.
func (p *fieldPlan) normalise(raw string) value {
	var v value
	switch p.Kind {
	case schema.KindName:
		v.norm = normalize.Name(raw, p.Normalize.Particles, p.Normalize.Transliterate)
	case schema.KindDate:
		d, ok := p.layouts.Parse(raw, p.precision)
		if !ok {
			return value{st: stInvalid}
		}
		v.date, v.norm = d, d.String()
	case schema.KindSex:
		s, ok := normalize.Sex(raw)
		if !ok {
			return value{st: stInvalid}
		}
		v.norm = string(s)
	case schema.KindFiscalCode:
		cf, st := normalize.FiscalCode(raw)
		switch st {
		case normalize.FiscalMissing:
			return value{}
		case normalize.FiscalInvalid:
			return value{st: stInvalid}
		}
		v.norm = cf
	case schema.KindAddress:
		v.norm = normalize.Address(raw, p.Normalize.Abbreviations)
	case schema.KindPostcode:
		v.norm = normalize.Postcode(raw, p.Normalize.Length)
	case schema.KindPhone:
		v.norm = normalize.Phone(raw)
	case schema.KindText:
		v.norm = normalize.Text(raw)
	case schema.KindExact:
		v.norm = normalize.Exact(raw)
	}
	if v.norm == "" {
		return value{}
	}
	v.st = stPresent
	if p.phonetic {
		v.phon = normalize.Phonetic(v.norm)
	}
	return v
}

// saltOf is the salt a value gives to the tokens of the fields it salts: a
// date's year (part "") or its whole normalised value (part "date"), the
// keyserver pseudonym of an oprf field (never its clear value, as for
// tokens and value() blocking keys), or the normalised value; "" when
// missing.
func saltOf(p *fieldPlan, v *value, part string) string {
	if v.st != stPresent {
		return ""
	}
	if p.Kind == schema.KindDate {
		if part == schema.SaltPartDate {
			return v.norm
		}
		return (normalize.Date{Year: v.date.Year}).String()
	}
	if v.oprf != "" {
		return v.oprf
	}
	return v.norm
}

// appendBlockPart appends one blocking-key part of a value to dst; false
// when the part is missing (the key is then not formed).
func appendBlockPart(dst []byte, part schema.Part, v *value) ([]byte, bool) {
	if v.st != stPresent {
		return dst, false
	}
	var s string
	switch part.Func {
	case schema.FuncValue:
		s = v.norm
		if v.oprf != "" {
			s = v.oprf
		}
	case schema.FuncSoundex:
		s = v.phon
	case schema.FuncFirst:
		s = normalize.Collapse(v.norm)
		for i, n := 0, 0; i < len(s); n++ {
			if n == part.N {
				s = s[:i]
				break
			}
			_, w := utf8.DecodeRuneInString(s[i:])
			i += w
		}
	case schema.FuncYear:
		return strconv.AppendInt(dst, int64(v.date.Year), 10), true
	case schema.FuncMonth:
		if v.date.Month == 0 {
			return dst, false
		}
		return strconv.AppendInt(dst, int64(v.date.Month), 10), true
	case schema.FuncDay:
		if v.date.Day == 0 {
			return dst, false
		}
		return strconv.AppendInt(dst, int64(v.date.Day), 10), true
	}
	return append(dst, s...), s != ""
}
