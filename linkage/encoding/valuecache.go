package encoding

import "hash/maphash"

// valueCache memoises, per worker and field, what a raw cell gives: its
// normalised value, its field filter and its contribution to the CLK (or,
// for a salted field, what a (salt, value) pair gives). Given names,
// surnames, dates, addresses and postcodes repeat, so one lookup replaces
// normalisation and the hashing of every token. A field whose values do
// not repeat (phones, fiscal codes) switches its cache off after a trial.
// The cache memoises a pure function: output never depends on it.
//
// It is direct-mapped: a key's slot is its hash modulo the (power-of-two)
// size, and a miss overwrites the slot. Frequent values stay, rare ones
// come and go, and a lookup is one hash and one string comparison, with no
// map and no clearing when full: measured on the synth schema, it halves
// the time spent in lookups and raises the hit rate on dates and addresses
// over a Go map cleared when full (BenchmarkEncode).
type valueCache struct {
	seed    maphash.Seed
	mask    uint64
	keys    []string // per slot; "" = empty (keys are never empty)
	vals    []value  // per slot
	words   []uint64 // per slot: field words, then CLK words
	fw, cw  int
	noVals  bool // words only (salted fields): no value per slot
	max     int  // most slots
	trial   int  // lookups before the hit rate is judged
	misses  int  // puts since the table last grew
	lookups int
	hits    int
	off     bool
}

const (
	valueCacheTrial  = 4096 // lookups before judging the hit rate (by default)
	valueCacheMinHit = 0.2  // below this hit rate the cache is switched off
	// valueCacheFirst is the table's size at first use (it doubles up to
	// its capacity): twice the trial, so that the trial's verdict is not
	// made of evictions. Starting at 1,024 slots switched the salted
	// caches off on every export: their first 4,096 lookups evicted each
	// other and hit less than 20%.
	valueCacheFirst = 2 * valueCacheTrial
)

// newValueCache returns a cache of up to capacity slots (rounded up to a
// power of two) for filters of fieldWords and CLK contributions of
// clkWords; capacity 0 makes a cache that is always off. The table starts
// small on first use and doubles whenever it has taken more new entries
// than it has slots, so a short export does not pay for a table sized for
// millions of rows.
func newValueCache(fieldWords, clkWords, capacity int) *valueCache {
	if capacity <= 0 {
		return &valueCache{off: true}
	}
	n := 1
	for n < capacity {
		n <<= 1
	}
	return &valueCache{seed: maphash.MakeSeed(), fw: fieldWords, cw: clkWords, max: n, trial: valueCacheTrial}
}

func (c *valueCache) alloc() { c.resize(min(valueCacheFirst, c.max)) }

// resize moves the entries into a table of n slots (a power of two).
func (c *valueCache) resize(n int) {
	old := *c
	c.mask = uint64(n - 1)
	c.keys = make([]string, n)
	c.vals = nil
	if !c.noVals {
		c.vals = make([]value, n)
	}
	c.words = make([]uint64, n*(c.fw+c.cw))
	c.misses = 0
	for i, k := range old.keys {
		if k != "" {
			var v value
			if old.vals != nil {
				v = old.vals[i]
			}
			c.store(k, v, old.filter(int32(i)), old.clk(int32(i)))
		}
	}
}

// get returns the slot of raw, or -1.
func (c *valueCache) get(raw string) int32 {
	if c.off {
		return -1
	}
	if c.keys == nil {
		c.alloc()
	}
	c.lookups++
	i := maphash.String(c.seed, raw) & c.mask
	return c.judge(int32(i), c.keys[i] == raw)
}

// getBytes is get for a key held in a byte slice (no allocation).
func (c *valueCache) getBytes(key []byte) int32 {
	if c.off {
		return -1
	}
	if c.keys == nil {
		c.alloc()
	}
	c.lookups++
	i := maphash.Bytes(c.seed, key) & c.mask
	return c.judge(int32(i), c.keys[i] == string(key))
}

// judge counts a hit or, after the trial, switches a cache with too few
// hits off (and frees it).
func (c *valueCache) judge(i int32, ok bool) int32 {
	if ok {
		c.hits++
		return i
	}
	if c.lookups == c.trial && float64(c.hits) < valueCacheMinHit*float64(c.lookups) {
		*c = valueCache{off: true}
	}
	return -1
}

func (c *valueCache) filter(i int32) []uint64 {
	o := int(i) * (c.fw + c.cw)
	return c.words[o : o+c.fw]
}

func (c *valueCache) clk(i int32) []uint64 {
	o := int(i)*(c.fw+c.cw) + c.fw
	return c.words[o : o+c.cw]
}

// put stores raw's value, filter and CLK contribution in raw's slot, and
// returns the slot (-1 when the cache is off).
func (c *valueCache) put(raw string, v value, filter, clk []uint64) int32 {
	if c.off {
		return -1
	}
	if c.keys == nil {
		c.alloc()
	}
	if c.misses++; c.misses > len(c.keys) && len(c.keys) < c.max {
		c.resize(2 * len(c.keys))
	}
	return c.store(raw, v, filter, clk)
}

func (c *valueCache) store(raw string, v value, filter, clk []uint64) int32 {
	i := maphash.String(c.seed, raw) & c.mask
	c.keys[i] = raw
	if c.vals != nil {
		c.vals[i] = v
	}
	copy(c.filter(int32(i)), filter)
	copy(c.clk(int32(i)), clk)
	return int32(i)
}
