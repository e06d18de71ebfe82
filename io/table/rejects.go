package table

import (
	"strconv"
)

// RejectsHeader is the header of a rejects file.
var RejectsHeader = []string{"row", "record_id", "column", "reason", "line", "character"}

// RejectsWriter writes the rejects file of a run: one line per input row that
// could not be used, with its 1-based data row number, the partner's own
// record id (an internal identifier, empty when it could not be read), the
// column at fault (empty when the whole row is at fault), the reason, and
// for a text file the line where the row starts and the character at fault
// (empty when not known).
// It never holds a cell value: reasons say what is wrong, not what was
// there. The file appears atomically on Commit.
type RejectsWriter struct {
	w   *CSVWriter
	n   int
	rec [6]string
}

// Rejection is one line of a rejects file.
type Rejection struct {
	Row      int    // 1-based data row
	Line     int    // 1-based line of a text file where the row starts; 0: unknown
	Char     int    // 1-based character of Line at fault; 0: unknown
	RecordID string // the partner's own record id, or ""
	Column   string // the column at fault, or ""
	Reason   string // what is wrong, never the value
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
	return r.Add(Rejection{Row: rowNum, RecordID: recordID, Column: column, Reason: reason})
}

// Add records a rejected row; x.RecordID and x.Reason follow the rules of
// Reject.
func (r *RejectsWriter) Add(x Rejection) error {
	r.rec = [6]string{strconv.Itoa(x.Row), x.RecordID, x.Column, x.Reason, optInt(x.Line), optInt(x.Char)}
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

// optInt renders a positive number, and 0 as empty.
func optInt(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}
