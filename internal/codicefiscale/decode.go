package codicefiscale

import "time"

// Info is what a fiscal code says about its holder, after undoing
// omocodia.
type Info struct {
	SurnameCode string // three letters
	NameCode    string // three letters
	Year2       int    // year of birth modulo 100
	Month       int    // 1–12
	Day         int    // 1–31 (already minus 40 for women)
	Female      bool
	Place       string // Belfiore code, e.g. G224, or Z### for a country
}

// Decode validates cf (see Valid) and returns its parts. Errors are plain
// and never contain the code.
func Decode(cf string) (Info, error) {
	if err := check(cf); err != nil {
		return Info{}, err
	}
	day := digitAt(cf, 9)*10 + digitAt(cf, 10)
	info := Info{
		SurnameCode: cf[0:3],
		NameCode:    cf[3:6],
		Year2:       digitAt(cf, 6)*10 + digitAt(cf, 7),
		Month:       monthIndex(cf[8]) + 1,
		Day:         day,
		Place:       string([]byte{cf[11], byte('0' + digitAt(cf, 12)), byte('0' + digitAt(cf, 13)), byte('0' + digitAt(cf, 14))}),
	}
	if day > 40 {
		info.Female = true
		info.Day = day - 40
	}
	return info, nil
}

// Consistent reports whether the code agrees with a sex and a birth date:
// same sex, day, month, and year modulo 100.
func (i Info) Consistent(female bool, birth time.Time) bool {
	return i.Female == female &&
		i.Day == birth.Day() &&
		i.Month == int(birth.Month()) &&
		i.Year2 == birth.Year()%100
}

// Matches reports whether the code's surname and name parts agree with a
// surname and a given name (computed as Compute would).
func (i Info) Matches(surname, name string) bool {
	return i.SurnameCode == SurnameCode(surname) && i.NameCode == NameCode(name)
}
