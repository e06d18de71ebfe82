// Package beamlink is swd link as an Apache Beam pipeline: the same blocks,
// candidate pairs, comparisons, model and clustering as linkage.Link, with
// the work partitioned by key so that it runs on any Beam runner (Prism in
// process, Flink, Spark, Dataflow).
//
// Every shuffle moves packets (see packet.go): many entries of one kind,
// bound for one bucket, in one element, regrouped by their exact key inside
// the bucket's group. A runner's cost per element and per key (Prism, the
// local runner, holds every pending element and key in memory) is then
// paid per bucket, not per record or pair. The stages:
//
//  1. Read: one element per row group of each encoded file
//     (encfile.ReadRowGroup). Each record gets a reference
//     partner<<32 | row, its blocking keys (blocking.Keys, one per
//     sub-pass), and the hashes of its term-frequency fields.
//  2. Block: the keys are grouped by bucket, then by (sub-pass, key); each
//     block emits the pairs of every job (pair of partners) it holds,
//     unless the job's block exceeds MaxBlockPairs (then it is counted as
//     skipped, as blocking.Blocks does). Small jobs are also searched
//     exhaustively with the Dice kernel (linkage's all-pairs pass) in
//     chunk × chunk groups, whose per-query top-k lists are merged per
//     query.
//  3. Term frequencies: how many records of each partner hold each value,
//     handed to the records.
//  4. Compare, in the cells of a grid: records fall in Plan.Grid groups by
//     a hash of their reference; cell (g, h) receives the records of groups
//     g and h and every pair between them, de-duplicates the pairs (each
//     distinct pair is compared once, whichever blocks found it) and
//     computes their agreement patterns with model.RecordComparer, the
//     kernel of linkage.Link. The random pairs behind u (model.SamplePairs,
//     the same draws as Link) go through the same cells. Each cell is its
//     own grouping (up to 64), and compares its pairs in slices of at most
//     Plan.CellPairs, so its memory is bounded by that setting and by its
//     records, not by its pairs.
//  5. Model: pattern counts are summed with CombinePerKey and
//     linkage.FitModel runs once on the sums; the model is a side input of
//     the scoring (or comes from --model). When EM on the candidates does
//     not find persons and the model falls back to training sessions, the
//     fitting worker reads the files to block on exact agreement as swd
//     link does (Plan.SessionCounts).
//  6. Score: each pair's weight and posterior (model.WeightTF); the pairs at
//     or above the threshold are the edges.
//  7. Persons and households: connected components of the edges and of
//     the records sharing a partner household id, by large-star/small-star
//     (Kiveris et al., "Connected Components in MapReduce and Beyond",
//     SoCC 2014); each component is clustered by cluster.Build, the code
//     of swd link, with its veto, its households of the partners'
//     household ids and its household rule (Plan.HouseholdMinWeight: the
//     component holds every person joining two partner households).
//  8. Co-residence: households that are the only two to hold a
//     co-residence key (linkage.CoResidenceKeys, computed as the records
//     are read) and share no partner are paired key by key
//     (cluster.CoResidentPairs); the pairs' components, by the same
//     algorithm, are joined each with cluster.JoinCoResident: Build's own
//     code, unless Plan.NoCoResidence.
//  9. Output: links are written to shards sorted by person; the launcher
//     merges them into one links file with swd link's numbering.
//
// Nothing is collected on one worker: every grouping is a bucket of keys
// (blocks, values, components, households), a cell of the grid (about
// 2/Grid of the records, and their pairs) or an output shard.
package beamlink
