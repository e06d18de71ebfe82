package bench

import (
	"testing"
)

// Three linked households: h0 (partner 0) and h1 (partner 1) are one true
// household and share a phone and an address; h2 (partner 1) is another,
// at the same address. The address rule joins nothing (three holders), the
// phone rules join h0 and h1, and the scores follow.
func TestCoResidenceRules(t *testing.T) {
	recs := []coRecord{
		{household: 0, true: 0, partner: 0, addr: 10, phone: 7},
		{household: 0, true: 0, partner: 0, addr: 10},
		{household: 1, true: 0, partner: 1, addr: 10, phone: 7},
		{household: 2, true: 1, partner: 1, addr: 10, phone: 8},
		{household: 2, true: 1, partner: 1, addr: 10},
	}
	hs := make([]*coHousehold, 3)
	for i := range hs {
		hs[i] = &coHousehold{}
	}
	for i, r := range recs {
		h := hs[r.household]
		h.records = append(h.records, i)
		h.mask |= 1 << uint(r.partner)
		h.addrs = appendKey(h.addrs, r.addr)
		h.phones = appendKey(h.phones, r.phone)
		if r.addr != 0 && r.phone != 0 {
			h.recordKeys = appendKey(h.recordKeys, mixKeys(r.addr, r.phone))
		}
	}
	base := scoreCoResidence("none", recs, hs, nil)
	if base.TP != 2 || base.FP != 0 || base.FN != 2 {
		t.Fatalf("base %+v: want tp 2, fp 0, fn 2", base)
	}
	want := map[string][2]int{ // rule → joined, right
		"a record's address and phone":        {1, 1},
		"a phone and an address, any records": {1, 1},
		"a phone":                             {1, 1},
		"an address":                          {0, 0},
	}
	for _, r := range coRules(recs, hs, false) {
		w, ok := want[r.name]
		if !ok {
			continue
		}
		got := scoreCoResidence(r.name, recs, hs, r.pairs())
		if got.Joined != w[0] || got.Right != w[1] {
			t.Errorf("%s: joined %d, right %d; want %d, %d", r.name, got.Joined, got.Right, w[0], w[1])
		}
		if w[0] == 1 && (got.TP != 4 || got.FP != 0 || got.FN != 0) {
			t.Errorf("%s: %+v, want tp 4, fp 0, fn 0", r.name, got)
		}
	}
	parts, _, _ := coParts(recs, hs, false)
	if parts[0].Pairs != 1 || parts[0].RecordPairs != 2 || parts[3].Pairs != 1 {
		t.Errorf("parts %+v", parts)
	}
	chance := coChance(recs)
	if chance[0].Pairs != 0 {
		t.Errorf("chance %+v: no phone is shared by two true households", chance)
	}
}
