package table

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/welfare-district/swd/internal/base"
)

// Formats accepted in Options.Format.
const (
	FormatCSV     = "csv"
	FormatParquet = "parquet"
	FormatArrow   = "arrow"
)

// Options tell Open how to read a file. The zero value reads CSV, Parquet or
// Arrow by extension, sniffs the CSV delimiter and detects the charset.
type Options struct {
	// Format is "", "csv", "parquet" or "arrow" (Arrow IPC, file or stream
	// format). Empty: from the extension (.csv .tsv .txt → CSV; .parquet →
	// Parquet; .arrow .arrows .ipc .feather → Arrow).
	Format string
	// Delimiter of CSV fields; 0 sniffs the header line among , ; tab and |.
	// Ignored for Parquet and Arrow.
	Delimiter rune
	// Encoding of a CSV file: "" or "auto" detects it (UTF-8, with or
	// without a BOM, unless the first non-ASCII bytes of the file are not
	// valid UTF-8: then Windows-1252; TextInfoOf says which), "utf-8", or
	// "latin-1" (also spelled "iso-8859-1", "windows-1252", "cp1252"),
	// decoded as Windows-1252, the superset that office software actually
	// writes. For Parquet and Arrow it applies to binary columns that are
	// not declared as strings (auto: each value that is not valid UTF-8 is
	// read as Windows-1252).
	Encoding string
	// TrimSpace trims white space around every CSV cell and header name
	// (FEBRL separates fields with ", ").
	TrimSpace bool
	// Comment, if not 0, starts a comment line in CSV files.
	Comment rune
}

// Reader streams the rows of a table.
type Reader interface {
	// Header returns the column names, in file order. Names are unique.
	Header() []string
	// Next returns the next row, one string per header column, and its
	// 1-based data row number (the header is not counted). The row slice is
	// valid until the next call. At the end it returns io.EOF. A
	// *swd.InputError is a problem with that row only: the caller may
	// record it and call Next again. Any other error is fatal.
	Next() (row []string, rowNum int, err error)
	// Close releases the file.
	Close() error
}

// Open opens path for reading with opts.
func Open(path string, opts Options) (Reader, error) {
	format, err := formatOf(path, opts.Format)
	if err != nil {
		return nil, err
	}
	cs, err := parseCharset(opts.Encoding)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, base.Mark(err, base.ErrInvalidInput)
	}
	var r Reader
	switch format {
	case FormatCSV:
		r, err = openCSV(path, f, opts, cs)
	case FormatParquet:
		r, err = openParquet(path, f, cs)
	default:
		r, err = openArrow(path, f, cs)
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return r, nil
}

func formatOf(path, format string) (string, error) {
	switch f := strings.ToLower(format); f {
	case FormatCSV, FormatParquet, FormatArrow:
		return f, nil
	case "ipc", "feather":
		return FormatArrow, nil
	case "":
	default:
		return "", base.Usagef("unknown table format %q (want csv, parquet or arrow)", format)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".tsv", ".txt":
		return FormatCSV, nil
	case ".parquet", ".pq":
		return FormatParquet, nil
	case ".arrow", ".arrows", ".ipc", ".feather":
		return FormatArrow, nil
	}
	return "", base.Usagef("%s: cannot tell the format from the extension; give it explicitly (csv, parquet or arrow)", path)
}

// checkHeader validates column names: empty names become "_N" (N the 1-based
// position, as pandas leaves its index column unnamed), duplicates are an
// error. Header names are not personal data and may appear in errors.
func checkHeader(path string, header []string) error {
	if len(header) == 0 {
		return &base.InputError{File: path, Reason: "no header"}
	}
	seen := make(map[string]int, len(header))
	for i, h := range header {
		if h == "" {
			h = fmt.Sprintf("_%d", i+1)
			header[i] = h
		}
		if j, dup := seen[h]; dup {
			return &base.InputError{File: path, Column: h,
				Reason: fmt.Sprintf("duplicate column name (columns %d and %d)", j+1, i+1)}
		}
		seen[h] = i
	}
	return nil
}

// invalidFile marks a file-level problem. err, from a decoder, is
// described by base.SafeDetail only: decoders quote the bytes they read.
func invalidFile(path, reason string, err error) error {
	if d := base.SafeDetail(err); d != "" {
		reason += ": " + d
	}
	return &base.InputError{File: path, Reason: reason}
}

// recovered turns a panic of a third-party decoder on corrupt data into an
// input error (whose message holds no value the panic may carry).
func recovered(path string, p any, errp *error) {
	if p != nil {
		reason := "corrupt file (decoder failure)"
		if d := base.PanicDetail(p); d != "" {
			reason += ": " + d
		}
		*errp = &base.InputError{File: path, Reason: reason}
	}
}

// settle ends a Next of a columnar reader: it is given recover() from
// Next's deferred function, and keeps a file-level error in *sticky, for
// every later call to return; a row's own error is not sticky.
func settle(path string, p any, errp, sticky *error) {
	recovered(path, p, errp)
	var ie *base.InputError
	if *errp != nil && !(errors.As(*errp, &ie) && ie.Row > 0) {
		*sticky = *errp
	}
}
