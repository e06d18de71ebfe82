package beamlink

import (
	"reflect"
	"testing"
)

func TestRecCoderRoundTrip(t *testing.T) {
	for _, r := range []Rec{
		{},
		{Ref: Ref(3, 77), ID: "r-1", Household: "h", Fields: [][]uint64{{1, 2}, nil, {}}, Counts: [][]int64{nil, {4, 0, 9}, nil}},
	} {
		got, err := decodeRec(encodeRec(r))
		if err != nil || !reflect.DeepEqual(got, r) {
			t.Fatalf("round trip of %+v: %+v, %v", r, got, err)
		}
		h := Half{Job: -1, A: r}
		gh, err := decodeHalf(encodeHalf(h))
		if err != nil || !reflect.DeepEqual(gh, h) {
			t.Fatalf("round trip of %+v: %+v, %v", h, gh, err)
		}
	}
	b := encodeRec(Rec{ID: "abc", Fields: [][]uint64{{1}}})
	for n := range b {
		if _, err := decodeRec(b[:n]); err == nil {
			t.Fatalf("a record cut to %d of %d bytes decoded", n, len(b))
		}
	}
}
