package pipeline

import (
	"context"
	"slices"
	"strings"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/io/table"
	"github.com/welfare-district/swd/taxonomy"
)

// NeedsCheckConfig configures CheckNeeds (swd taxonomy check).
type NeedsCheckConfig struct {
	Partner  string // whose embedded code map to use, unless Map is given
	Map      string // a code map file; its partner must be Partner when both are given
	In       string // the partner export (CSV, Parquet or Arrow, with a header)
	Column   string // the column of ';'-separated need codes
	MinCount int    // rarest unknown code shown (at least taxonomy.MinUnknownCountFloor)
}

// NeedsCheck reports the need codes of an export that the code map does not
// know. Unknown values seen fewer than MinCount times are aggregated and
// never shown: they may be personal data typed in the wrong column.
type NeedsCheck struct {
	Partner    string                  `json:"partner"`
	MapVersion string                  `json:"map_version"`
	Rows       int                     `json:"rows"`
	BadRows    int                     `json:"malformed_rows"`
	Codes      int                     `json:"codes"`
	Unknown    int                     `json:"unknown_total"`
	Distinct   int                     `json:"unknown_distinct"`
	MinCount   int                     `json:"min_count"`
	Counts     []taxonomy.UnknownCount `json:"unknown"`
	Policy     string                  `json:"policy"`
}

// CheckNeeds translates the need column of every row of an export with the
// partner's code map (canonical codes are always accepted) and counts the
// codes it does not know. Malformed rows are counted, not fatal.
func CheckNeeds(ctx context.Context, c NeedsCheckConfig) (*NeedsCheck, error) {
	if c.MinCount < taxonomy.MinUnknownCountFloor {
		return nil, base.Usagef("the rarest unknown code shown must occur at least %d times, not %d",
			taxonomy.MinUnknownCountFloor, c.MinCount)
	}
	m, partner, err := needsCodeMap(c)
	if err != nil {
		return nil, err
	}
	rep := &NeedsCheck{Partner: partner, MapVersion: "canonical only", MinCount: c.MinCount}
	if m != nil {
		rep.MapVersion = m.Version
	}
	var stats taxonomy.UnknownStats
	err = eachNeedField(ctx, c.In, c.Column, func(field string) {
		rep.Rows++
		rep.Codes += countCodes(field)
		_, _ = taxonomy.MapNeeds(m, field, taxonomy.UnknownUnclassified, &stats)
	}, func() { rep.BadRows++ })
	if err != nil {
		return nil, err
	}
	rep.Unknown, rep.Distinct = stats.Total(), stats.Distinct()
	rep.Counts = stats.CountsMin(c.MinCount)
	return rep, nil
}

func needsCodeMap(c NeedsCheckConfig) (*taxonomy.CodeMap, string, error) {
	if c.Map == "" {
		return taxonomy.MapFor(c.Partner), c.Partner, nil
	}
	m, err := taxonomy.LoadCodeMap(c.Map)
	if err != nil {
		return nil, "", err
	}
	if c.Partner != "" && m.Partner != c.Partner {
		return nil, "", base.Usagef("--map is for partner %q, not %q", m.Partner, c.Partner)
	}
	return m, m.Partner, nil
}

func countCodes(field string) int {
	n := 0
	for _, c := range strings.Split(field, ";") {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

// eachNeedField calls fn with the need column of every well-formed row of a
// partner export (CSV, Parquet or Arrow), and bad for every malformed one.
func eachNeedField(ctx context.Context, path, column string, fn func(string), bad func()) error {
	r, err := table.Open(path, table.Options{TrimSpace: true})
	if err != nil {
		return base.Mark(err, base.ErrInvalidInput)
	}
	defer r.Close()
	col := slices.Index(r.Header(), column)
	if col < 0 {
		return &base.InputError{File: path, Column: column, Reason: "no such column in the header"}
	}
	return table.Each(r, func(row []string, n int) error {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		fn(row[col])
		return nil
	}, func(*base.InputError) { bad() })
}
