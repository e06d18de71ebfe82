package table

import (
	"strconv"
)

// RejectsHeader is the header of a rejects file.
var RejectsHeader = []string{"row", "record_id", "column", "reason"}

// RejectsWriter writes the rejects file of a run: one line per input row that
// could not be used, with its 1-based data row number, the partner's own
// record id (an internal identifier, empty when it could not be read), the
// column at fault (empty when the whole row is at fault) and the reason.
// It never holds a cell value: reasons say what is wrong, not what was
// there. The file appears atomically on Commit.
type RejectsWriter struct {
	w   *CSVWriter
	n   int
	rec [4]string
}

// NewRejectsWriter starts a rejects file at path.
func NewRejectsWriter(path string) (*RejectsWriter, error) {
	w, err := NewCSVWriter(path, RejectsHeader)
	if err != nil {
		return nil, err
	}
	return &RejectsWriter{w: w}, nil
}

// Reject records that data row rowNum was rejected. recordID must be the
// partner's own record id (or ""), never another cell value; reason must not
// quote the value either.
func (r *RejectsWriter) Reject(rowNum int, recordID, column, reason string) error {
	r.rec = [4]string{strconv.Itoa(rowNum), recordID, column, reason}
	if err := r.w.Write(r.rec[:]); err != nil {
		return err
	}
	r.n++
	return nil
}

// Count is the number of rows rejected so far.
func (r *RejectsWriter) Count() int { return r.n }

// Commit writes the file to its final path.
func (r *RejectsWriter) Commit() error { return r.w.Commit() }

// Abort discards the file; it is a no-op after Commit.
func (r *RejectsWriter) Abort() { r.w.Abort() }
