package table

import (
	"errors"
	"io"

	"github.com/welfare-district/swd/internal/base"
)

// Each reads r to the end, calling fn with every well-formed row and its
// 1-based row number (the row is valid only during the call). A row with a
// problem of its own (*swd.InputError) goes to bad, or is skipped when bad
// is nil. Each stops at the end of the table (returning nil), at a
// file-level error, or at the first error fn returns.
func Each(r Reader, fn func(row []string, rowNum int) error, bad func(*base.InputError)) error {
	for {
		row, n, err := r.Next()
		var rowErr *base.InputError
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.As(err, &rowErr):
			if bad != nil {
				bad(rowErr)
			}
		case err != nil:
			return err
		default:
			if err := fn(row, n); err != nil {
				return err
			}
		}
	}
}
