package linksfile

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/cluster"
)

// RunKey is the Parquet key-value metadata key holding the run description.
const RunKey = "swd.run"

// Columns are the links-file columns, in order.
var Columns = []string{"cluster_id", "household_id", "partner", "record_id", "match_probability"}

// rowGroupRows bounds the rows buffered per row group.
const rowGroupRows = 64 << 10

// Write writes links to path atomically (the file appears complete or not at
// all), with run stored as the "swd.run" metadata (omitted when empty).
func Write(path string, links []cluster.Link, run []byte) (err error) {
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return fmt.Errorf("linksfile: %w", err)
	}
	defer f.Abort()
	opts := []parquet.WriterOption{parquet.Compression(&parquet.Zstd)}
	if len(run) > 0 {
		opts = append(opts, parquet.KeyValueMetadata(RunKey, string(run)))
	}
	w := parquet.NewGenericWriter[cluster.Link](f, opts...)
	for start := 0; start < len(links); start += rowGroupRows {
		end := min(start+rowGroupRows, len(links))
		if _, err := w.Write(links[start:end]); err != nil {
			return fmt.Errorf("linksfile: writing %s: %w", path, err)
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("linksfile: writing %s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("linksfile: writing %s: %w", path, err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("linksfile: %w", err)
	}
	return nil
}

// Read reads a links file and returns its rows and its "swd.run" metadata
// (nil when absent). A file that is not a links file is an ErrInvalidInput.
func Read(path string) ([]cluster.Link, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("linksfile: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("linksfile: %w", err)
	}
	return read(path, f, st.Size())
}

// inputError is a problem with links file name, at a row and column when
// they are not 0 and "".
func inputError(name string, row int, column, reason string) error {
	return fmt.Errorf("linksfile: %w", &base.InputError{File: name, Row: row, Column: column, Reason: reason})
}

// checkColumns refuses a file that lacks one of Columns.
func checkColumns(name string, has func(column string) bool) error {
	for _, c := range Columns {
		if !has(c) {
			return inputError(name, 0, c, "column missing: not a links file")
		}
	}
	return nil
}

func read(path string, r io.ReaderAt, size int64) ([]cluster.Link, []byte, error) {
	invalid := func(reason string) error { return inputError(path, 0, "", reason) }
	pf, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, nil, invalid("not a readable Parquet file")
	}
	has := func(c string) bool { _, ok := pf.Schema().Lookup(c); return ok }
	if err := checkColumns(path, has); err != nil {
		return nil, nil, err
	}
	var run []byte
	if v, ok := pf.Lookup(RunKey); ok {
		run = []byte(v)
	}
	rows := make([]cluster.Link, pf.NumRows())
	rd := parquet.NewGenericReader[cluster.Link](pf)
	defer rd.Close()
	n, err := rd.Read(rows)
	if err != nil && !errors.Is(err, io.EOF) {
		// The decoder's message is not shown: it may quote the file's bytes.
		reason := "reading rows: corrupt or truncated file"
		if d := base.SafeDetail(err); d != "" {
			reason += ": " + d
		}
		return nil, nil, invalid(reason)
	}
	if n != len(rows) {
		return nil, nil, invalid(fmt.Sprintf("read %d of %d rows", n, len(rows)))
	}
	return rows, run, nil
}
