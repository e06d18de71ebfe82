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
// all), with run stored as the "swd.run" metadata (omitted when nil).
func Write(path string, links []cluster.Link, run *Run) error {
	w, err := Create(path, run)
	if err != nil {
		return err
	}
	defer w.Abort()
	if err := w.Write(links...); err != nil {
		return err
	}
	return w.Commit()
}

// Writer writes a links file row by row, for a caller that streams the
// links (swd-beam merges them from the pipeline's shards) instead of holding
// them all: it buffers one row group at a time. The file appears at its path
// only on Commit.
type Writer struct {
	path string
	f    *atomicfile.File
	w    *parquet.GenericWriter[cluster.Link]
	buf  []cluster.Link
}

// Create starts a links file at path with run as its "swd.run" metadata
// (omitted when nil). Rows must be written in the file's order: by
// cluster_id, then partner, then record_id.
func Create(path string, run *Run) (*Writer, error) {
	runJSON, err := marshalRun(run)
	if err != nil {
		return nil, fmt.Errorf("linksfile: %w", err)
	}
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return nil, fmt.Errorf("linksfile: %w", err)
	}
	opts := []parquet.WriterOption{parquet.Compression(&parquet.Zstd)}
	if runJSON != nil {
		opts = append(opts, parquet.KeyValueMetadata(RunKey, string(runJSON)))
	}
	return &Writer{path: path, f: f, w: parquet.NewGenericWriter[cluster.Link](f, opts...)}, nil
}

// Write adds rows.
func (w *Writer) Write(links ...cluster.Link) error {
	for len(links) > 0 {
		n := min(len(links), rowGroupRows-len(w.buf))
		w.buf = append(w.buf, links[:n]...)
		links = links[n:]
		if len(w.buf) == rowGroupRows {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *Writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	if _, err := w.w.Write(w.buf); err != nil {
		return fmt.Errorf("linksfile: writing %s: %w", w.path, err)
	}
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("linksfile: writing %s: %w", w.path, err)
	}
	w.buf = w.buf[:0]
	return nil
}

// Commit writes the last rows and the footer and moves the file into place.
func (w *Writer) Commit() error {
	if err := w.flush(); err != nil {
		return err
	}
	if err := w.w.Close(); err != nil {
		return fmt.Errorf("linksfile: writing %s: %w", w.path, err)
	}
	if err := w.f.Commit(); err != nil {
		return fmt.Errorf("linksfile: %w", err)
	}
	return nil
}

// Abort discards the file; after Commit it does nothing.
func (w *Writer) Abort() { w.f.Abort() }

// Read reads a links file and returns its rows and its run description
// (nil when absent). A file that is not a links file, or whose run
// description cannot be read (ParseRun), is an error marked
// swd.ErrInvalidInput.
func Read(path string) ([]cluster.Link, *Run, error) {
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

func read(path string, r io.ReaderAt, size int64) ([]cluster.Link, *Run, error) {
	invalid := func(reason string) error { return inputError(path, 0, "", reason) }
	pf, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, nil, invalid("not a readable Parquet file")
	}
	has := func(c string) bool { _, ok := pf.Schema().Lookup(c); return ok }
	if err := checkColumns(path, has); err != nil {
		return nil, nil, err
	}
	var run *Run
	if v, ok := pf.Lookup(RunKey); ok {
		if run, err = ParseRun([]byte(v), path); err != nil {
			return nil, nil, err
		}
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
