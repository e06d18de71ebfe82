package eval

import (
	"os"

	"github.com/welfare-district/swd/internal/base"
)

// TruthFormats returns the ground-truth conventions LoadTruth knows (swd
// eval --truth-format).
func TruthFormats() []string {
	return []string{"synth", "csv", "febrl", "ncvoter", "ncvr", "rldata", "splink"}
}

// LoadTruth reads the ground truth of a benchmark in one of the
// TruthFormats:
//
//   - synth, csv: a CSV file (path) of partner, record id and entity id;
//   - rldata: RLdata's identity vector (path);
//   - splink: the cluster column of Splink's synthetic Parquet data (path);
//   - febrl: no file, the entity is in the FEBRL record ids;
//   - ncvoter, ncvr: the same voter id (ncid, recid) across the partners'
//     original CSV files named in source ("A.csv,B.csv" or
//     "partner=A.csv,..."), or, without source, equal record ids.
func LoadTruth(format, path, source string) (*Truth, error) {
	switch format {
	case "febrl":
		return FEBRL(), nil
	case "ncvoter", "ncvr":
		if source == "" {
			return SameID(), nil
		}
		col := "ncid"
		if format == "ncvr" {
			col = "recid"
		}
		return ReadSources(ParseSources(source), col)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, base.Invalidf("eval: %w", err)
	}
	defer f.Close()
	switch format {
	case "rldata":
		return ReadIdentity(f, path)
	case "splink":
		return ReadSplink(f, path)
	case "synth", "csv":
		return ReadCSV(f, path)
	}
	return nil, base.Usagef("unknown ground-truth format %q", format)
}
