// Package encfile writes and reads swd encoded files: Parquet files (zstd,
// row groups of 64Ki rows) with one row per encoded record and file-level
// key-value metadata, readable by any Parquet tool. The format is specified
// in docs/format.md ("Encoded file").
//
// Writers take encoding.Record values one at a time and publish the file
// atomically on Commit; readers return the whole file in columnar form
// (encoding.Dataset, as the linker wants it), stream it record by record
// (Scan), or read only the footer (ReadMeta).
package encfile
