// Package incremental links a district's monthly snapshots against what
// was linked before, in memory: it keeps person and household ids stable
// from one period to the next and records how they changed.
//
// A State is what the linkage unit remembers between periods: every record
// ever seen (open or closed) with its stable person and household ids, the
// period it first and last appeared, its order of arrival and a hash of its
// encoding; the accepted links between open records; the model; and the
// next free ids. Update takes the partners' full current snapshots and:
//
//   - finds the fresh records: a partner and record id never seen or closed
//     before, or whose encoding changed (a family that moved);
//   - searches candidates only for the fresh records, against every current
//     record (fresh × all, with the blocking passes and the all-pairs Dice
//     pass Link uses), and scores them with the state's model;
//   - keeps the accepted links between unchanged records (rescored, so that
//     the term-frequency adjustment follows the current data) and drops
//     those of closed or changed records;
//   - clusters all current records as linkage.Link does (one-to-one
//     assignment, duplicates, veto, households from the partners' own
//     household ids);
//   - gives every person and household its stable id (Assign) and lists the
//     events of the period: open, close, merge, split.
//
// Ids: a person or household keeps its id while its membership is unchanged
// or only grows; when clusters merge the oldest (smallest) id is kept; when
// one splits, the part holding its oldest record (by order of arrival)
// keeps the id and the others get new ones; ids are never reused.
//
// The package holds no files: pipeline/state stores a State on disk. It
// holds nothing but encodings' hashes, pseudonymous ids, partner names and
// record ids, periods and link probabilities, as the links file does.
package incremental
