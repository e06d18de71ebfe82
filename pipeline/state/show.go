package state

import (
	"context"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/incremental"
)

// Summary is what swd state show prints: the manifest's periods and log,
// and the counts of the current generation.
type Summary struct {
	Dir               string          `json:"state"`
	Generation        int64           `json:"generation"`
	Period            string          `json:"period"`
	SchemaFingerprint string          `json:"schema_fingerprint"`
	KeyCheck          string          `json:"key_check"`
	Partners          []PartnerFile   `json:"partners"`
	Records           int             `json:"records"` // open and closed
	Open              int             `json:"open"`
	Links             int             `json:"links"`
	Periods           []PeriodSummary `json:"periods"`
	Log               []LogEntry      `json:"log"`
}

// Show opens and checks the state in dir and summarises it.
func Show(ctx context.Context, dir string) (*Summary, error) {
	s, err := Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	m := s.Manifest
	out := &Summary{Dir: dir, Generation: m.Generation, Period: m.Period, SchemaFingerprint: m.SchemaFingerprint,
		KeyCheck: m.KeyCheck, Partners: m.Partners, Records: len(s.State.Records), Links: len(s.State.Edges),
		Periods: m.Periods, Log: m.Log}
	for _, r := range s.State.Records {
		if r.Open {
			out.Open++
		}
	}
	return out, nil
}

// History is the history of one person or household: the events naming
// its id, and the records held by it when they were last seen.
type History struct {
	Level   string               `json:"level"`
	ID      int64                `json:"id"`
	Events  []incremental.Event  `json:"events"`
	Records []incremental.Record `json:"records"`
}

// HistoryOf returns the history of the person (level "person") or
// household ("household") id in the state in dir.
func HistoryOf(ctx context.Context, dir, level string, id int64) (*History, error) {
	if level != incremental.LevelPerson && level != incremental.LevelHousehold {
		return nil, base.Usagef("state: the level must be person or household, not %q", level)
	}
	s, err := Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	h := &History{Level: level, ID: id, Events: []incremental.Event{}, Records: []incremental.Record{}}
	for _, e := range s.Events {
		if e.Level == level && (e.ID == id || e.Other == id) {
			h.Events = append(h.Events, e)
		}
	}
	for _, r := range s.State.Records {
		held := r.Person
		if level == incremental.LevelHousehold {
			held = r.Household
		}
		if held == id {
			h.Records = append(h.Records, r)
		}
	}
	return h, nil
}
