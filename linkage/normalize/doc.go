// Package normalize turns the values of Italian administrative records into
// canonical forms and tokens for encoding: case and accent folding (with the
// apostrophe used as an accent, NICOLO'), surname particles (D'Angelo, De
// Luca, Lo Presti), compound given names (Maria Grazia / Mariagrazia),
// transliteration variants (Mohamed / Muhammad), fiscal codes, dates in the
// formats Italian offices use (with day/month-swap tolerance), sex, postcodes,
// phone numbers and addresses, plus q-grams and a phonetic key for blocking.
//
// Every function is pure, safe for concurrent use, never panics on any input,
// and never returns an error that contains the value it was given.
package normalize
