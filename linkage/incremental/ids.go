package incremental

import "slices"

// Kinds of Event.
const (
	EventOpen  = "open"  // a new id for a cluster of records never held by an id
	EventClose = "close" // an id none of whose records is current any more
	EventMerge = "merge" // ID absorbed Other: Other is retired, never reused
	EventSplit = "split" // records of ID left it for Other (a new id, or an existing one)
)

// Levels of Event.
const (
	LevelPerson    = "person"
	LevelHousehold = "household"
)

// Event is one change of the persons or households in a period. For open
// and close, Other is -1.
type Event struct {
	Period string `parquet:"period" json:"period"`
	Level  string `parquet:"level" json:"level"`
	Kind   string `parquet:"kind" json:"kind"`
	ID     int64  `parquet:"id" json:"id"`
	Other  int64  `parquet:"other" json:"other"`
}

// Member is one current record as Assign sees it: the cluster it was put
// in this period (dense labels 0, 1, …), the id it was held by last period
// (-1 for a record that had none) and its order of arrival (smaller is
// older; distinct across records).
type Member struct {
	Label int
	Prev  int64
	Seq   int64
}

// Assign gives every label its stable id and lists the events of the
// change from the ids open last period (prevOpen) to the labels of the
// members. New ids are taken from *next, which it advances; labels with new
// ids get them in label order, so the result does not depend on the order
// of members. The rules (see the package comment):
//
//   - each previous id claims the label holding its oldest current record;
//   - a label claimed by several ids keeps the smallest and the others are
//     merged into it; a label claimed by none gets a new id;
//   - a previous id whose records are also under other labels is split
//     towards each of them;
//   - a previous id with no current record is closed.
func Assign(members []Member, nLabels int, prevOpen []int64, next *int64, period, level string) (ids []int64, events []Event) {
	type claim struct {
		seq   int64
		label int
	}
	claims := map[int64]claim{}
	for _, m := range members {
		if m.Prev < 0 {
			continue
		}
		if c, ok := claims[m.Prev]; !ok || m.Seq < c.seq {
			claims[m.Prev] = claim{m.Seq, m.Label}
		}
	}
	ids = make([]int64, nLabels)
	for l := range ids {
		ids[l] = -1
	}
	claimants := make([][]int64, nLabels)
	for p, c := range claims {
		claimants[c.label] = append(claimants[c.label], p)
	}
	for l, cs := range claimants {
		if len(cs) == 0 {
			continue
		}
		slices.Sort(cs)
		ids[l] = cs[0]
		for _, q := range cs[1:] {
			events = append(events, Event{Period: period, Level: level, Kind: EventMerge, ID: cs[0], Other: q})
		}
	}
	// prevs lists, per label, the distinct previous ids of its members.
	prevs := make([][]int64, nLabels)
	for _, m := range members {
		if m.Prev >= 0 && !slices.Contains(prevs[m.Label], m.Prev) {
			prevs[m.Label] = append(prevs[m.Label], m.Prev)
		}
	}
	for l := range ids {
		if ids[l] < 0 {
			ids[l] = *next
			*next++
			if len(prevs[l]) == 0 {
				events = append(events, Event{Period: period, Level: level, Kind: EventOpen, ID: ids[l], Other: -1})
			}
		}
		slices.Sort(prevs[l])
		for _, p := range prevs[l] {
			if claims[p].label != l {
				events = append(events, Event{Period: period, Level: level, Kind: EventSplit, ID: p, Other: ids[l]})
			}
		}
	}
	closed := slices.Clone(prevOpen)
	slices.Sort(closed)
	for _, p := range slices.Compact(closed) {
		if _, ok := claims[p]; !ok {
			events = append(events, Event{Period: period, Level: level, Kind: EventClose, ID: p, Other: -1})
		}
	}
	slices.SortStableFunc(events, compareEvents)
	return ids, events
}

// compareEvents orders events by kind (open, split, merge, close), then id,
// then other.
func compareEvents(a, b Event) int {
	rank := func(k string) int { return slices.Index([]string{EventOpen, EventSplit, EventMerge, EventClose}, k) }
	if c := rank(a.Kind) - rank(b.Kind); c != 0 {
		return c
	}
	if a.ID != b.ID {
		return cmpInt(a.ID, b.ID)
	}
	return cmpInt(a.Other, b.Other)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
