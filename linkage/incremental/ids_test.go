package incremental

import (
	"reflect"
	"testing"
)

func TestAssign(t *testing.T) {
	m := func(label int, prev, seq int64) Member { return Member{Label: label, Prev: prev, Seq: seq} }
	tests := []struct {
		name     string
		members  []Member
		nLabels  int
		prevOpen []int64
		next     int64
		ids      []int64
		events   []Event
		nextOut  int64
	}{
		{name: "unchanged", members: []Member{m(0, 3, 0), m(0, 3, 1), m(1, 5, 2)}, nLabels: 2, prevOpen: []int64{3, 3, 5}, next: 9,
			ids: []int64{3, 5}, nextOut: 9},
		{name: "grows", members: []Member{m(0, 3, 0), m(0, -1, 7)}, nLabels: 1, prevOpen: []int64{3}, next: 9,
			ids: []int64{3}, nextOut: 9},
		{name: "open and close", members: []Member{m(0, -1, 7)}, nLabels: 1, prevOpen: []int64{3}, next: 9,
			ids: []int64{9}, nextOut: 10, events: []Event{
				{Kind: EventOpen, ID: 9, Other: -1}, {Kind: EventClose, ID: 3, Other: -1}}},
		{name: "merge keeps the oldest id", members: []Member{m(0, 5, 1), m(0, 3, 4)}, nLabels: 1, prevOpen: []int64{3, 5}, next: 9,
			ids: []int64{3}, nextOut: 9, events: []Event{{Kind: EventMerge, ID: 3, Other: 5}}},
		{name: "split keeps the part with the oldest record", members: []Member{m(0, 3, 6), m(1, 3, 2), m(1, 3, 8)}, nLabels: 2,
			prevOpen: []int64{3}, next: 9, ids: []int64{9, 3}, nextOut: 10, events: []Event{{Kind: EventSplit, ID: 3, Other: 9}}},
		{name: "record moves to another person", members: []Member{m(0, 3, 1), m(0, 5, 9), m(1, 5, 2)}, nLabels: 2,
			prevOpen: []int64{3, 5}, next: 9, ids: []int64{3, 5}, nextOut: 9, events: []Event{{Kind: EventSplit, ID: 5, Other: 3}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			next := tc.next
			ids, events := Assign(tc.members, tc.nLabels, tc.prevOpen, &next, "", "")
			if !reflect.DeepEqual(ids, tc.ids) {
				t.Errorf("ids %v, want %v", ids, tc.ids)
			}
			if !reflect.DeepEqual(events, tc.events) {
				t.Errorf("events %+v, want %+v", events, tc.events)
			}
			if next != tc.nextOut {
				t.Errorf("next %d, want %d", next, tc.nextOut)
			}
		})
	}
}

// TestAssignNeverReuses: ids given in one call are never given again, even
// after the clusters holding them closed.
func TestAssignNeverReuses(t *testing.T) {
	next := int64(0)
	seen := map[int64]bool{}
	var prev []int64
	for round := range 5 {
		members := []Member{{Label: 0, Prev: -1, Seq: int64(round)}, {Label: 1, Prev: -1, Seq: int64(100 + round)}}
		ids, _ := Assign(members, 2, prev, &next, "", "")
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("round %d: id %d reused", round, id)
			}
			seen[id] = true
		}
		prev = ids
	}
}
