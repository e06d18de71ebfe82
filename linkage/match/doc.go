// Package match is swd's candidate search: it finds the pairs of Bloom
// filters (CLKs) whose Dice coefficient reaches a threshold, one query
// against many filters or all against all, with an optional top-k per query.
//
// The candidate side is an Index: the filters sorted by popcount, so that
// the cardinality bound Dice(a,b) ≤ 2·min(|a|,|b|)/(|a|+|b|) turns into a
// binary-searched range of admissible candidates for each query. Inside the
// range the one-vs-many AND+popcount kernel of internal/bitvec runs over
// cache-sized tiles of candidates. Queries are cut into chunks that the
// workers take from an atomic counter (dynamic load balance); results are
// streamed to a callback chunk by chunk and never held as an n×m matrix.
// With Ordered, chunks are delivered in query order and sorted by (I, J),
// so the output is the same for any number of workers.
package match
