package linksfile

import (
	"fmt"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/linkage/cluster"
)

// PeriodColumns are the columns a links file of a linkage state (swd link
// --state) has after Columns.
var PeriodColumns = []string{"period", "first_period"}

// PeriodLink is a row of the links file of one period of a linkage state:
// the contract columns, with cluster_id and household_id the stable ids
// of the state, then the period linked and the first period whose
// snapshot held the record. Read reads such a file as any links file.
type PeriodLink struct {
	ClusterID        int64   `parquet:"cluster_id"`
	HouseholdID      int64   `parquet:"household_id"`
	Partner          string  `parquet:"partner"`
	RecordID         string  `parquet:"record_id"`
	MatchProbability float64 `parquet:"match_probability"`
	Period           string  `parquet:"period"`
	FirstPeriod      string  `parquet:"first_period"`
}

// NewPeriodLink is the row of link l in period, first seen in first.
func NewPeriodLink(l cluster.Link, period, first string) PeriodLink {
	return PeriodLink{ClusterID: l.ClusterID, HouseholdID: l.HouseholdID, Partner: l.Partner, RecordID: l.RecordID,
		MatchProbability: l.MatchProbability, Period: period, FirstPeriod: first}
}

// WritePeriods writes the links of a period to path atomically, with run
// as the "swd.run" metadata (omitted when nil), in the order given (by
// cluster_id, then partner, then record_id).
func WritePeriods(path string, links []PeriodLink, run *Run) error {
	runJSON, err := marshalRun(run)
	if err != nil {
		return fmt.Errorf("linksfile: %w", err)
	}
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return fmt.Errorf("linksfile: %w", err)
	}
	defer f.Abort()
	opts := []parquet.WriterOption{parquet.Compression(&parquet.Zstd)}
	if runJSON != nil {
		opts = append(opts, parquet.KeyValueMetadata(RunKey, string(runJSON)))
	}
	w := parquet.NewGenericWriter[PeriodLink](f, opts...)
	for len(links) > 0 {
		n := min(len(links), rowGroupRows)
		if _, err := w.Write(links[:n]); err != nil {
			return fmt.Errorf("linksfile: writing %s: %w", path, err)
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("linksfile: writing %s: %w", path, err)
		}
		links = links[n:]
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("linksfile: writing %s: %w", path, err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("linksfile: %w", err)
	}
	return nil
}
