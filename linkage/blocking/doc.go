// Package blocking reduces the n×m comparison space of record linkage to
// candidate pairs: Hamming LSH on the record-level CLKs (bit sampling) and
// exact keyed blocking keys computed at encode time (phonetic surname +
// birth year, keyed fiscal code, …). Several passes are unioned and
// de-duplicated; PairCompleteness and ReductionRatio measure the result.
//
// The unit of work is a Block (the records of each side sharing one key in
// one pass), which Blocks streams: blocks are independent, so comparisons
// can be partitioned across workers or machines by block. Candidates and
// CandidatesDedup collect the union of all blocks' pairs as a sorted,
// duplicate-free []Pair.
//
// Oversized blocks: a block that would generate more than
// Config.MaxBlockPairs pairs is skipped whole and counted in the pass's
// statistics. Such blocks are uninformative (an LSH band whose sampled bits
// are all zero, a blocking key shared by a large share of the records) and
// would dominate the cost; the records in them are still paired through the
// other passes. Set MaxBlockPairs < 0 to disable the cap.
//
// Memory: Candidates holds the sorted union (8 bytes a pair) plus one
// band's pairs while merging, and fails with ErrTooManyCandidates beyond
// Config.MaxCandidates rather than exhaust memory; Blocks holds no pairs
// and computes LSH keys one band at a time. CandidatesCompact builds the
// same union as a CompactPairs (delta-varint chunks, 2–4 bytes a pair,
// decodable chunk by chunk and spillable to a file), merging a bounded
// buffer of pairs at a time: what package linkage uses.
package blocking
