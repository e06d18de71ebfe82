package encoding

import (
	"fmt"
	"slices"
	"testing"
)

// TestValueCache: what get finds is what put stored, through slot
// collisions; a cache that does not pay is switched off.
func TestValueCache(t *testing.T) {
	c := newValueCache(2, 3, 5000) // rounds up to 8192 slots
	if c.size != 8192 || c.keys != nil {
		t.Fatalf("%d slots, allocated %v; want 8192, not yet", c.size, c.keys != nil)
	}
	words := func(k int) ([]uint64, []uint64) {
		return []uint64{uint64(k), uint64(k) << 1}, []uint64{uint64(k) + 1, 7, uint64(k) * 3}
	}
	for round := range 3 {
		for k := range 20000 {
			key := fmt.Sprint("value ", k)
			if i := c.get(key); i >= 0 {
				f, clk := words(k)
				if c.vals[i].norm != key || !slices.Equal(c.filter(i), f) || !slices.Equal(c.clk(i), clk) {
					t.Fatalf("round %d: entry of %q holds another value", round, key)
				}
				continue
			}
			f, clk := words(k)
			i := c.put(key, value{st: stPresent, norm: key}, f, clk)
			if i < 0 || c.keys[i] != key {
				t.Fatalf("put %q returned slot %d", key, i)
			}
			if got := c.get(key); got != i {
				t.Fatalf("get after put: slot %d, want %d", got, i)
			}
		}
	}
	if c.hits == 0 || c.off {
		t.Fatalf("hits %d, off %v", c.hits, c.off)
	}

	small := newValueCache(0, 0, 100)
	for k := range valueCacheTrial + 1 {
		if small.get(fmt.Sprint(k)) >= 0 {
			t.Fatal("hit on a key never put")
		}
		small.put(fmt.Sprint(k), value{}, nil, nil)
	}
	if !small.off || small.keys != nil {
		t.Fatal("a cache without hits was not switched off and freed")
	}
	if off := newValueCache(1, 1, 0); !off.off || off.get("x") != -1 || off.put("x", value{}, []uint64{1}, []uint64{1}) != -1 {
		t.Fatal("capacity 0 must give a cache that is always off")
	}
}
