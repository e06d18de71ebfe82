// Package model is swd's Fellegi–Sunter model on keyed Bloom-filter
// encodings.
//
// A candidate pair (record i of dataset A, record j of dataset B) is compared
// field by field: the Dice coefficient of the two field filters is cut into
// comparison levels (Comparison: exact filter equality, then Dice thresholds,
// then "else"), and a field missing on either side is its own outcome, level
// 0, which carries no evidence (weight 0). The levels of all fields form the
// pair's agreement pattern, packed into a uint64 key (Comparer.Key).
//
// Parameters are estimated as in fastLink: EM runs on the counts of distinct
// agreement patterns (PatternCounts, mergeable by addition, so partitions of
// the comparison work can be counted independently), not on pairs. The
// non-match probabilities u come from a random sample of pairs (EstimateU)
// and stay fixed by default; m per field level and the prior λ are fitted by
// EM (Fit) under conditional independence, with Laplace smoothing, a
// convergence test and identifiability checks. A fitted Model gives match
// weights log2(m/u) per level and posterior match probabilities; a Scorer
// adds the optional term-frequency adjustment of exact agreements, using the
// frequencies of identical field filters. Models are saved and reloaded as
// JSON.
//
// When EM on the candidates finds a class other than persons even on the
// identity (anchor) fields alone — few fields, two of them redundant, such
// as a place and its postcode — Fit falls back to training sessions as
// Splink does: u from random pairs, the m of each side estimated on pairs
// blocked on exact agreement of the other side, corrections (Interactions)
// for fields that agree together among random pairs, and λ among all pairs.
package model
