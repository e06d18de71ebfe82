// Package dp releases differentially private statistics: contribution
// bounding, noise from github.com/google/differential-privacy (never
// hand-rolled), confidence intervals, and the privacy-budget ledger that
// records every release and refuses one that would overspend.
//
// The unit of privacy is the linked household: the household as the
// linkage formed it (a true household split into k linked households is
// protected at k·ε; Params.GroupPrivacy charges the ledger for that, and
// release.json states it). An Aggregation counts households
// (Household: district, canonical needs, partners) into the released tables
// — households by district × need, by district, by number of partners that
// know them, the "missing middle" (known to the third sector and to no public
// service) by district, totals, and optionally a clamped sum of needs — with
// each household counted at most once per cell and in a bounded number of
// cells. Its Result adds noise once and returns every cell with its
// confidence interval.
//
// Publish runs one release end to end under a Ledger: it refuses, with
// ErrBudgetExhausted, a release whose ε or δ does not fit in what the
// dataset has left, before computing or writing anything; otherwise it
// reserves the budget (a fsync'd pending entry), draws the noise, writes the
// tables (CSV, Parquet), release.json and a self-contained HTML report into a
// directory that appears atomically, and commits. See docs/dp.md.
package dp
