package table

import (
	"bufio"
	"encoding/csv"
	"fmt"

	"github.com/welfare-district/swd/internal/atomicfile"
)

// CSVWriter writes a UTF-8, comma-separated, RFC 4180 file atomically: the
// destination appears, complete, only on Commit.
type CSVWriter struct {
	f    *atomicfile.File
	bw   *bufio.Writer
	cw   *csv.Writer
	cols int
}

// NewCSVWriter starts a CSV file at path and writes its header.
func NewCSVWriter(path string, header []string) (*CSVWriter, error) {
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	w := &CSVWriter{f: f, bw: bw, cw: csv.NewWriter(bw), cols: len(header)}
	if err := w.Write(header); err != nil {
		f.Abort()
		return nil, err
	}
	return w, nil
}

// Write appends one row, which must have as many cells as the header.
func (w *CSVWriter) Write(row []string) error {
	if len(row) != w.cols {
		return fmt.Errorf("writing %s: row of %d cells, header has %d", w.f.Path(), len(row), w.cols)
	}
	if err := w.cw.Write(row); err != nil {
		return fmt.Errorf("writing %s: %w", w.f.Path(), err)
	}
	return nil
}

// Commit flushes the file and moves it to its final path.
func (w *CSVWriter) Commit() error {
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		w.f.Abort()
		return fmt.Errorf("writing %s: %w", w.f.Path(), err)
	}
	if err := w.bw.Flush(); err != nil {
		w.f.Abort()
		return fmt.Errorf("writing %s: %w", w.f.Path(), err)
	}
	return w.f.Commit()
}

// Abort discards the file; it is a no-op after Commit.
func (w *CSVWriter) Abort() { w.f.Abort() }
