// Package audit attacks the encodings of an encoded file as the linkage
// unit could, and reports the share of records each attack re-identifies.
// A partner runs it on its own encoded file, with its own export as ground
// truth, to see the risk of a schema before sending anything.
//
// The attacker is the linkage unit: it holds the encoded file, the schema
// (public: it is in the file's metadata) and a public reference of the
// attacked fields' values with their frequencies (a name register, another
// data set), never the secret. An Input holds these and, for scoring only,
// the true values; Run runs every attack and returns a Report with each
// attack's re-identification rate and the worst:
//
//   - Frequency: identical filters encode identical values, so the most
//     frequent filters are aligned, rank by rank, with the most frequent
//     public values; q-gram positions are then mined from the aligned
//     filters and every filter is matched against predicted filters
//     (Kuzu et al.; Christen, Vidanage and Schnell).
//   - Cohort: records with identical salted filters share value and salt,
//     so ANDing their unsalted salt-source filters (the birth date) keeps
//     the salt's tokens (the year), which splits the file into salt
//     cohorts (RecoverCohorts) where the frequency attack works again.
//   - PatternMining: frequent bit-pattern mining of token positions in the
//     field filters or in the CLK (Christen, Ranbaduge, Vatsalan and
//     Schnell), inside the salt cohorts for salted fields.
//   - Graph: similarity-graph matching of filters and public values
//     (Vidanage, Christen, Ranbaduge and Schnell, CIKM 2020), on a sample.
//   - BlockingKeys: frequency alignment of the blocking keys built from an
//     attacked field (a phonetic code with a date), inside the partitions
//     of the keys that do not use it.
//
// A record is re-identified when an attack recovers the true normalised
// value of one of the attacked fields. Report.Chance is what guessing the
// commonest public value for every record gets, for comparison.
//
// LinkageUnitView reports the joint uniqueness (k-anonymity) of what the
// linkage unit holds per record, in growing combinations: attributes in
// the clear, filters with few values, recovered cohorts, blocking keys,
// and last everything (every field filter and the CLK).
// ColumnExposure and FilterExposure bound what frequency alignment alone
// can learn from any column of encodings for an attacker who knows the
// exact plaintext distribution. Measured results are in docs/audit.md.
package audit
