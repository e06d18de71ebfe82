// Package cluster turns scored candidate pairs into people and households:
// one-to-one assignment between two partners (greedy by weight, optimal
// within small connected components), multi-party person clusters with at
// most one record per partner per person (unless the partner itself has
// accepted duplicates), and households built from person clusters plus each
// partner's own household ids. Its output is the Link row of the links file.
//
// Every function is deterministic: the result does not depend on the order
// of its input, ties are broken by record keys.
package cluster
