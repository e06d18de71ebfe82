// Package beamlink is swd link as an Apache Beam pipeline: the same blocks,
// candidate pairs, comparisons, model and clustering as linkage.Link, with
// the work partitioned by key so that it runs on any Beam runner (Prism in
// process, Flink, Spark, Dataflow).
//
// The stages, and what each one shuffles:
//
//  1. Read: one element per row group of each encoded file
//     (encfile.ReadRowGroup). Each record gets a reference
//     partner<<32 | row, its blocking keys (blocking.Keys, one per
//     sub-pass), and the hashes of its term-frequency fields.
//  2. Block: the references are grouped by (sub-pass, key); each block
//     emits the pairs of every job (pair of partners) it holds, unless the
//     job's block exceeds MaxBlockPairs (then it is counted as skipped, as
//     blocking.Blocks does). Small jobs are also searched exhaustively with
//     the Dice kernel (linkage's all-pairs pass) in chunk × chunk groups,
//     whose per-query top-k lists are merged per query.
//  3. Distinct pairs: the union of all blocks' pairs, de-duplicated by key.
//  4. Join: each pair meets the field filters of its two records in two
//     keyed joins (by the first record, then by the second); the
//     term-frequency counts of each value were joined to its records the
//     same way. The pair's agreement pattern is computed with
//     model.RecordComparer, the kernel of linkage.Link.
//  5. Model: pattern counts are summed with CombinePerKey, the random pairs
//     behind u (model.SamplePairs, the same draws as Link) go through the
//     same join, and linkage.FitModel runs once on the sums; the model is a
//     side input of the scoring (or comes from --model).
//  6. Score: each pair's weight and posterior (model.WeightTF); the pairs at
//     or above the threshold are the edges.
//  7. Persons: connected components of the edges by large-star/small-star
//     (Kiveris et al., "Connected Components in MapReduce and Beyond",
//     SoCC 2014), then each component is clustered by cluster.Build, the
//     code of swd link, with its veto.
//  8. Households: components of persons joined by each partner's own
//     household ids, by the same algorithm.
//  9. Output: links are written to shards sorted by person; the launcher
//     merges them into one links file with swd link's numbering.
//
// Nothing is collected on one worker: every grouping is by a key whose
// groups are bounded by a block, a component or a shard.
package beamlink
