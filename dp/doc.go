// Package dp releases differentially private statistics: contribution
// bounding, noise from github.com/google/differential-privacy (never
// hand-rolled), confidence intervals, and the privacy-budget ledger that
// records every release and refuses one that would overspend.
package dp
