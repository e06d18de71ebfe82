package encoding

// valueCache memoises, per worker and field, what a raw cell gives: its
// normalised value, its field filter and its contribution to the CLK.
// Given names, surnames, dates and postcodes repeat, so one map lookup
// replaces normalisation and the hashing of every token. A field whose
// values do not repeat (phones, fiscal codes) switches its cache off after
// a trial. The cache memoises a pure function: output never depends on it.
type valueCache struct {
	index   map[string]int32
	vals    []value
	words   []uint64 // per entry: field words, then CLK words
	fw, cw  int
	cap     int
	lookups int
	hits    int
	off     bool
}

const (
	valueCacheTrial  = 4096 // lookups before judging the hit rate
	valueCacheMinHit = 0.2  // below this hit rate the cache is switched off
)

func newValueCache(fieldWords, clkWords, capacity int) *valueCache {
	return &valueCache{index: make(map[string]int32), fw: fieldWords, cw: clkWords, cap: capacity, off: capacity == 0}
}

// get returns the entry of raw, or -1.
func (c *valueCache) get(raw string) int32 {
	if c.off {
		return -1
	}
	c.lookups++
	i, ok := c.index[raw]
	return c.judge(i, ok)
}

// judge counts a hit or, after the trial, switches a cache with too few
// hits off.
func (c *valueCache) judge(i int32, ok bool) int32 {
	if ok {
		c.hits++
		return i
	}
	if c.lookups == valueCacheTrial && float64(c.hits) < valueCacheMinHit*float64(c.lookups) {
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

// put stores raw's value, filter and CLK contribution.
func (c *valueCache) put(raw string, v value, filter, clk []uint64) {
	if c.off {
		return
	}
	if len(c.vals) >= c.cap {
		clear(c.index)
		c.vals, c.words = c.vals[:0], c.words[:0]
	}
	c.index[raw] = int32(len(c.vals))
	c.vals = append(c.vals, v)
	c.words = append(c.words, filter...)
	c.words = append(c.words, clk...)
}
