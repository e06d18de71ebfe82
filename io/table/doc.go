// Package table reads the tabular exports that partners hand to swd (CSV,
// Parquet, Arrow IPC) as rows of strings with stable 1-based row numbers, and
// writes the small tables swd produces (rejects files, CSV and Parquet
// result tables) atomically.
//
// Readers separate two kinds of problems. A row-level problem (a ragged row,
// invalid UTF-8 in a cell, a bare quote) is returned by Next as a
// *swd.InputError naming the file, the data row and, when known, the
// column; the reader then carries on with the next row, so the caller can
// send the row to a rejects file and no row is lost silently. A file-level
// problem (an empty file, no header, duplicate column names, a truncated or
// corrupt Parquet or Arrow file) is an error marked swd.ErrInvalidInput
// that names the file.
//
// Cells may hold personal data, so no error, log line or rejects file ever
// carries a cell value: errors say where the problem is and what kind it is.
package table
