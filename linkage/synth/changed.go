package synth

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/welfare-district/swd/internal/base"
)

// ChangedRecords compares two monthly snapshots of WriteMonths (the
// directories of two periods, before and now) and returns the records of
// now, keyed by partner and record id, whose row in the partner's export
// differs from before (a family that moved: the partner updated the
// address) or that no export held before (an arrival, a member added, an
// interception). The partners are those named in now's truth.csv. The
// records of now not in the result are byte for byte those of before.
func ChangedRecords(before, now string) (map[[2]string]bool, error) {
	partners, err := truthPartners(filepath.Join(now, "truth.csv"))
	if err != nil {
		return nil, err
	}
	out := map[[2]string]bool{}
	for _, p := range partners {
		old, err := exportRows(filepath.Join(before, p+".csv"))
		if errors.Is(err, os.ErrNotExist) {
			old, err = nil, nil // a partner new this month
		}
		if err != nil {
			return nil, err
		}
		cur, err := exportRows(filepath.Join(now, p+".csv"))
		if err != nil {
			return nil, err
		}
		for id, row := range cur {
			if o, ok := old[id]; !ok || o != row {
				out[[2]string{p, id}] = true
			}
		}
	}
	return out, nil
}

// truthPartners lists the partners of a truth.csv, in order of first
// appearance.
func truthPartners(path string) ([]string, error) {
	var out []string
	err := scanExport(path, "partner", func(id string, _ []string) {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	})
	return out, err
}

// exportRows maps each record id of a partner export to its whole row.
func exportRows(path string) (map[string]string, error) {
	out := map[string]string{}
	err := scanExport(path, "record_id", func(id string, rec []string) {
		out[id] = strings.Join(rec, "\x00")
	})
	return out, err
}

// scanExport calls fn with the value of column key of every data row of
// a CSV file and the row.
func scanExport(path, key string, fn func(v string, rec []string)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return &base.InputError{File: path, Line: 1, Reason: "no header"}
	}
	col := slices.Index(head, key)
	if col < 0 {
		return &base.InputError{File: path, Column: key, Reason: "column missing"}
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			line, _ := r.FieldPos(0)
			return &base.InputError{File: path, Line: line, Reason: "malformed CSV"}
		}
		fn(rec[col], rec)
	}
}
