// Package linksfile reads and writes the links file of swd link: a Parquet
// file (zstd) with one row per input record and the columns
//
//	cluster_id int64, household_id int64, partner string, record_id string,
//	match_probability double
//
// plus the key-value metadata "swd.run", a versioned JSON document
// describing the run (Run: parameters, model, counts, expected quality,
// code version). A CSV export with the same columns is available for
// spreadsheets and scripts. docs/format.md specifies both.
package linksfile
