// Package pipeline runs the steps of swd as a library. Each step joins the
// packages below it (io/..., linkage/..., dp, taxonomy) from files to
// files, exactly as the swd command does, and is one function taking a
// context and a config struct:
//
//	Encode   a partner export → an encoded file, its rejects file (and pseudonym mapping), optionally sealed
//	Link     encoded files → a links file, a linkage report (HTML, JSON), optionally a model and a CSV
//	Publish  a links file and its encoded files → a differentially private release and a ledger entry
//	Audit    an encoded file and its export → the share of records an attack re-identifies
//
// OpenInputs opens sealed encoded files for Link and Publish, and
// BuildHouseholds is the join Publish makes between links and encoded
// files, usable on its own. ReadSecret and WriteSecret read and write the
// partners' linkage secret as swd keygen does. The swd command only binds
// its flags into these configs, prints the results and maps errors to exit
// codes; a program that imports this package can run the whole pipeline
// (see the package example).
//
// Configs hold values where the type is public (a parsed schema, a
// secret, a model, DP parameters) and file names for keys, whose types are
// internal. A zero field means its default. Long steps log through the
// config's Logger and report progress through its Progress (nil: silent).
// No step prints or keeps state between calls; each writes only its
// outputs (named in its config, or next to them by default) and temporary
// files it removes, every output atomically. Errors carry the marks of
// package swd (swd.ErrUsage, swd.ErrInvalidInput, swd.ErrIntegrity, …;
// dp.ErrBudgetExhausted for an overspending release), which the command
// maps to its exit codes. As everywhere in swd, no identifier, normalised
// value or secret appears in a log line, an error or a result.
//
// # Households
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
