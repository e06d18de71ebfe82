// Package codicefiscale computes, validates and decodes the Italian fiscal
// code (codice fiscale) of natural persons.
//
// A fiscal code has 16 characters: three for the surname, three for the
// given name, two for the year of birth, one letter for the month, two
// digits for the day (plus 40 for women), four for the place of birth (the
// Belfiore code of the comune, or Z### for a foreign country) and a check
// character. When two people would get the same code, the revenue agency
// replaces digits from the right with letters (omocodia); Canonical maps
// such codes back, and Omocode produces them.
//
// Fiscal codes are personal data: no error of this package ever contains
// the code, or any part of it.
package codicefiscale
