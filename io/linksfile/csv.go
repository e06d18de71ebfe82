package linksfile

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/linkage/cluster"
)

// WriteCSV writes links as CSV with a header of Columns. Probabilities are
// written in the shortest form that reads back to the same float64.
func WriteCSV(w io.Writer, links []cluster.Link) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	row := make([]string, len(Columns))
	for _, l := range links {
		row[0] = strconv.FormatInt(l.ClusterID, 10)
		row[1] = strconv.FormatInt(l.HouseholdID, 10)
		row[2] = l.Partner
		row[3] = l.RecordID
		row[4] = strconv.FormatFloat(l.MatchProbability, 'g', -1, 64)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCSVFile writes links as CSV to path atomically.
func WriteCSVFile(path string, links []cluster.Link) error {
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return fmt.Errorf("linksfile: %w", err)
	}
	defer f.Abort()
	if err := WriteCSV(f, links); err != nil {
		return fmt.Errorf("linksfile: writing %s: %w", path, err)
	}
	return f.Commit()
}

// ReadCSV reads links written by WriteCSV. name is used in errors.
func ReadCSV(r io.Reader, name string) ([]cluster.Link, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, inputError(name, 0, "", "cannot read the CSV header")
	}
	idx := map[string]int{}
	for i, h := range head {
		idx[h] = i
	}
	has := func(c string) bool { _, ok := idx[c]; return ok }
	if err := checkColumns(name, has); err != nil {
		return nil, err
	}
	iCluster, iHousehold, iPartner, iRecord, iProb := idx["cluster_id"], idx["household_id"], idx["partner"], idx["record_id"], idx["match_probability"]
	var links []cluster.Link
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return links, nil
		}
		if err != nil {
			return nil, inputError(name, row, "", "malformed CSV row")
		}
		var l cluster.Link
		bad := func(col string) error { return inputError(name, row, col, "not a number") }
		if l.ClusterID, err = strconv.ParseInt(rec[iCluster], 10, 64); err != nil {
			return nil, bad("cluster_id")
		}
		if l.HouseholdID, err = strconv.ParseInt(rec[iHousehold], 10, 64); err != nil {
			return nil, bad("household_id")
		}
		if l.MatchProbability, err = strconv.ParseFloat(rec[iProb], 64); err != nil {
			return nil, bad("match_probability")
		}
		l.Partner = rec[iPartner]
		l.RecordID = rec[iRecord]
		links = append(links, l)
	}
}

// ReadAny reads a links file in Parquet or, when path ends in ".csv", CSV.
// The run description is nil for CSV.
func ReadAny(path string) ([]cluster.Link, *Run, error) {
	if len(path) > 4 && path[len(path)-4:] == ".csv" {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("linksfile: %w", err)
		}
		defer f.Close()
		links, err := ReadCSV(f, path)
		return links, nil, err
	}
	return Read(path)
}
