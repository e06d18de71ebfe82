// Package eval measures linkage quality against ground truth: pairwise
// precision, recall and F1 for persons and households, and cluster-level
// figures (exact cluster matches and B-cubed). Pairs are never enumerated:
// every figure comes from the contingency table of predicted cluster ×
// true entity, so evaluating a million records costs a few map operations
// per record.
//
// Ground truth comes in the conventions of the public benchmark sets:
// the synthetic generator's truth.csv, FEBRL record ids (rec-N-org /
// rec-N-dup-K), NC voter ncid, NCVR recid, RLdata identity files and
// Splink's cluster column (see Truth and its constructors).
package eval
