// Package neighbour is the test harness of swd's differential-privacy
// guarantee end to end: two datasets are neighbours when one holds a whole
// household more than the other, and every released table must then move
// by at most the L1 distance its release.json declares
// (max_partitions_contributed × max_contributions_per_partition). The DP
// library only scales noise to the declared bounds; this harness checks that
// what swd feeds it respects them, through everything before the noise:
// encoding, linkage with a saved model, the household table and the
// contribution bounding.
//
// The pieces compose:
//
//   - Population: synthetic partner exports with ground truth whose
//     households have 1–7 needs (more than --max-needs) and some no
//     district; WriteExports writes them without some households.
//   - Pipeline: the public entry points (pipeline.Encode, Link, Publish) at
//     ExactEpsilon, so the released values are the exact counts; ReadRelease
//     reads them with their declared bounds as Tables.
//   - CorrectlyLinked: the households the links keep whole and alone, whose
//     removal is one linked household less; Split: those the links split
//     into k linked households of their own, whose removal is k less.
//   - Compare and Check: the L1 distance of every table against its bound;
//     CheckGroup against k times it (group privacy).
//
// Any producer of exact tables (e.g. tables over several periods) can be
// checked with Compare and Check on its own Tables.
package neighbour
