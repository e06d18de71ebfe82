package dp

import (
	"slices"
	"strings"
)

// PeriodTables are the tables released for one period of a release over
// time: noisy values and intervals, public once released.
type PeriodTables struct {
	Period string  `json:"period"`
	Tables []Table `json:"tables"`
}

// trendSeries is one series of the report's trend: a table's cell over
// the periods released, the current one last.
type trendSeries struct {
	Query, Label string
	Points       []trendPoint
}

type trendPoint struct {
	Period string
	Value  int64
	Lo, Hi int64
}

// trends are the series of the tables of res over the periods of history
// and the current one: every cell of every table released now, with the
// periods that released it (a cell a period did not release has no point
// there).
func trends(res *Result, period string, history []PeriodTables) []trendSeries {
	if len(history) == 0 {
		return nil
	}
	all := append(slices.Clone(history), PeriodTables{Period: period, Tables: res.Tables})
	var out []trendSeries
	for _, t := range res.Tables {
		for _, c := range t.Cells {
			s := trendSeries{Query: t.Query, Label: strings.Join(c.Keys, " · ")}
			for _, p := range all {
				if v, ok := cellOf(p.Tables, t.Query, c.Keys); ok {
					s.Points = append(s.Points, trendPoint{Period: p.Period, Value: v.Value, Lo: int64(v.CILower), Hi: int64(v.CIUpper)})
				}
			}
			out = append(out, s)
		}
	}
	return out
}

// cellOf finds the cell keys of table q among tables.
func cellOf(tables []Table, q string, keys []string) (Cell, bool) {
	for _, t := range tables {
		if t.Query != q {
			continue
		}
		for _, c := range t.Cells {
			if slices.Equal(c.Keys, keys) {
				return c, true
			}
		}
	}
	return Cell{}, false
}
