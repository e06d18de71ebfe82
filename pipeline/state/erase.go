package state

import (
	"context"
	"time"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/encoding"
)

// EraseResult counts what Erase removed.
type EraseResult struct {
	Partner    string `json:"partner"`
	Requested  int    `json:"requested"`  // distinct ids asked for
	Erased     int    `json:"erased"`     // records removed from the state
	Generation int64  `json:"generation"` // the state's generation after the erasure
}

// Erase removes the records of partner whose ids are given from the state
// in dir, for good (GDPR art. 17): their rows in the records table, every
// accepted link touching them and their encodings. The new generation
// replaces the old one, whose files are deleted; the log gets an entry
// with the partner and the number of records, never an id. The persons and
// households they belonged to keep their ids; the next period treats what
// is left of them as records that left. The partner must also remove the
// records from its own exports, or the next snapshot brings them back as
// new records.
func Erase(ctx context.Context, dir, partner string, ids []string, now time.Time) (*EraseResult, error) {
	if partner == "" {
		return nil, base.Usagef("state: erase: no partner given")
	}
	snap, err := Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id != "" {
			set[id] = true
		}
	}
	res := &EraseResult{Partner: partner, Requested: len(set)}
	res.Erased = snap.State.Erase(partner, set)
	for k, d := range snap.Encodings {
		if d.Meta.Partner == partner {
			snap.Encodings[k] = without(d, set)
		}
	}
	snap.Manifest.Log = append(snap.Manifest.Log, LogEntry{Time: now.UTC(), Action: "erase", Partner: partner, Records: res.Erased})
	if err := Save(dir, snap); err != nil {
		return nil, err
	}
	res.Generation = snap.Manifest.Generation
	return res, nil
}

// without returns d without the records whose ids are in ids.
func without(d *encoding.Dataset, ids map[string]bool) *encoding.Dataset {
	out := encoding.NewDataset(d.Meta, d.Layout())
	var keep []int
	for i, id := range d.RecordIDs {
		if !ids[id] {
			keep = append(keep, i)
		}
	}
	appendRows(out, d, keep)
	out.Meta.Rows = out.Len()
	return out
}

// appendRows appends rows of d to out.
func appendRows(out, d *encoding.Dataset, rows []int) {
	for _, i := range rows {
		rec := record(d, i)
		out.Append(&rec)
	}
}

// record is row i of d; its slices point into d.
func record(d *encoding.Dataset, i int) encoding.Record {
	rec := encoding.Record{RecordID: d.RecordIDs[i], CLK: d.CLK.Data[i*d.CLK.Words : (i+1)*d.CLK.Words],
		Fields: make([][]uint64, len(d.Fields)), BlockKeys: make([]string, len(d.BlockKeys)), Attrs: make([]string, len(d.Attrs))}
	for f, c := range d.Fields {
		if c.Present[i] {
			rec.Fields[f] = c.Filters.Data[i*c.Filters.Words : (i+1)*c.Filters.Words]
		}
	}
	for k, c := range d.BlockKeys {
		rec.BlockKeys[k] = c.Values[i]
	}
	for k, c := range d.Attrs {
		rec.Attrs[k] = c.Values[i]
	}
	return rec
}
