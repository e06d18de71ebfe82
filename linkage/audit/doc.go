// Package audit runs a frequency and pattern-mining attack on the field
// filters of an encoded file, the kind described by Christen, Vidanage and
// Schnell, and reports the share of records it re-identifies. A partner
// runs it on its own encoded file, with its own export as ground truth,
// to see the risk of a schema before sending anything.
//
// The attacker is the linkage unit: it holds the encoded file, the schema
// (public: it is in the file's metadata) and a public list of name
// frequencies, not the secret. The attack has two stages:
//
//  1. Frequency alignment: identical filters encode identical values, so
//     the most frequent filters are aligned, rank by rank, with the most
//     frequent names of the public list.
//  2. Pattern mining: for each q-gram, the bit positions set in (nearly)
//     all filters aligned with names containing that q-gram are taken to be
//     that q-gram's positions. Every name of the public list whose q-grams
//     are all located then has a predicted filter, and every distinct
//     filter of the file, frequent or rare, is assigned the name whose
//     predicted filter is most similar (Dice), if similar enough.
//
// A record is re-identified when the name assigned to its filter equals
// its true normalised value. Balanced filters are attacked on their first
// half (the schema says they are balanced); salted, XOR-folded and BLIP
// filters are attacked as they are.
//
// ColumnExposure and FilterExposure bound what frequency alignment alone
// can learn from any column of encodings (the CLK, a blocking key, a field
// filter) for an attacker who knows the exact plaintext distribution:
// they need no public list, and show the leak of blocking keys built from
// names and of fields with few values. Measured results are in
// docs/audit.md.
package audit
