// Package pipeline joins linkage and differential privacy: it turns a links
// file and the partners' encoded files into the de-duplicated household
// table that package dp releases (swd publish).
//
// BuildHouseholds joins every link (one per input record) to the record it
// names in the encoded files, by partner and record id, and requires the
// two to match exactly both ways. For each household of the links file it
// then derives:
//
//   - District: the most frequent non-empty district attribute among the
//     household's records. Ties go to the value held by more records of
//     public-service partners, then to the lowest code (numerically when
//     both codes are numbers, as quartieri and ISTAT codes are).
//   - Needs: the union of the canonical needs of its records, each record's
//     local codes translated with its partner's code map (unknown codes
//     fail or become "unclassified", as configured, and are counted).
//   - Partners: the partners with at least one record in it.
//
// Households come out ordered by household id, needs and partners sorted,
// so the same inputs always give the same table. Nothing here adds noise or
// publishes anything: the table is the input of dp.Publish.
package pipeline
