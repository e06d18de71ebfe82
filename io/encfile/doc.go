// Package encfile writes and reads swd encoded files: Parquet files (row
// groups of 64Ki rows, Snappy on filter columns, zstd on the others) with
// one row per encoded record and file-level key-value metadata, readable by
// any Parquet tool. The format is specified in docs/format.md ("Encoded
// file").
//
// Writers take encoding.Record values one at a time, build the Parquet
// pages themselves (chunk.go) and publish the file atomically on Commit;
// readers return the whole file in columnar form (encoding.Dataset, as the
// linker wants it), stream it record by record (Scan), or read only the
// footer (ReadMeta).
package encfile
