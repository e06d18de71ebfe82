package cluster

import "cmp"

// Link is one row of a links file: one input record with the person cluster
// and the household it was assigned to. Every input record has exactly one
// Link, including records linked to nothing (a singleton cluster and
// household of their own).
type Link struct {
	// ClusterID identifies the person: records with the same ClusterID are
	// believed to be the same person. IDs are dense (0, 1, 2, …) and
	// deterministic: clusters are numbered in the order of their smallest
	// (Partner, RecordID) member.
	ClusterID int64 `parquet:"cluster_id" json:"cluster_id"`
	// HouseholdID identifies the household, numbered like ClusterID by the
	// smallest (Partner, RecordID) member of the household.
	HouseholdID int64 `parquet:"household_id" json:"household_id"`
	// Partner is the partner (dataset) the record comes from.
	Partner string `parquet:"partner" json:"partner"`
	// RecordID is the partner's own record id (or its keyed pseudonym).
	RecordID string `parquet:"record_id" json:"record_id"`
	// MatchProbability is the highest posterior match probability among the
	// links of this record that were accepted into its cluster; 0 for a
	// record linked to nothing.
	MatchProbability float64 `parquet:"match_probability" json:"match_probability"`
}

// RecordKey names a record across partners.
type RecordKey struct {
	Partner  string
	RecordID string
}

// Key returns the record's key.
func (l Link) Key() RecordKey { return RecordKey{l.Partner, l.RecordID} }

// Compare orders record keys by partner, then record id, as cmp.Compare
// does.
func (k RecordKey) Compare(o RecordKey) int {
	return cmp.Or(cmp.Compare(k.Partner, o.Partner), cmp.Compare(k.RecordID, o.RecordID))
}
