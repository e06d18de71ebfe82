package encoding


// tokenHasher maps the tokens of one field to their bit positions: k in the
// field filter and kCLK in the CLK. A token's positions are drawn by
// xoshiro256** seeded with AES-256-CMAC(field key, token), i.e. random
// hashing, not double hashing. Results are cached per token (names and
// their q-grams repeat: this is the main speed lever); the cache only
// memoises a pure function, so output never depends on its state.
type tokenHasher struct {
	mac      *cmac
	bits     int
	k        int
	clkBits  int
	kCLK     int
	cache    map[string]uint32 // token → offset into slab
	short    []int32           // tokens of 1–2 bytes (q-grams): direct index → offset+1, 0 = not yet
	slab     []uint32
	capacity int
}

// defaultCacheEntries bounds each per-worker, per-field cache.
const defaultCacheEntries = 1 << 14

func newTokenHasher(key []byte, bits, k, clkBits, kCLK, capacity int) *tokenHasher {
	return &tokenHasher{
		mac:      newCMAC(key),
		bits:     bits,
		k:        k,
		clkBits:  clkBits,
		kCLK:     kCLK,
		cache:    make(map[string]uint32),
		capacity: capacity,
	}
}

// shortIndex is the direct-table slot of a token of one or two bytes.
func shortIndex(token []byte) int {
	if len(token) == 1 {
		return 1<<16 + int(token[0])
	}
	return int(token[0])<<8 | int(token[1])
}

// positions returns the k field positions followed by the kCLK CLK
// positions of token (already salted). Tokens of one or two bytes (the
// q-grams of most fields) are cached in a direct table, longer ones in a
// map when keep is set (whole-value tokens of fields whose values do not
// repeat are not kept). The slice is valid until the next call.
func (h *tokenHasher) positions(token []byte, keep bool) []uint32 {
	n := h.k + h.kCLK
	short := len(token) <= 2 && len(token) > 0 && h.capacity > 0
	if short {
		if h.short == nil {
			h.short = make([]int32, 1<<16+256)
		}
		if o := int(h.short[shortIndex(token)]); o > 0 {
			return h.slab[o-1 : o-1+n]
		}
	} else if keep {
		if off, ok := h.cache[string(token)]; ok {
			return h.slab[off : off+uint32(n)]
		}
	}
	rng := newXoshiroTag(h.mac.sum(token))
	if len(h.cache) >= h.capacity || len(h.slab) >= 1<<30 {
		clear(h.cache)
		clear(h.short)
		h.slab = h.slab[:0]
	}
	off := len(h.slab)
	for i := 0; i < h.k; i++ {
		h.slab = append(h.slab, rng.below(h.bits))
	}
	for i := 0; i < h.kCLK; i++ {
		h.slab = append(h.slab, rng.below(h.clkBits))
	}
	switch {
	case short:
		h.short[shortIndex(token)] = int32(off + 1)
	case keep && h.capacity > 0:
		h.cache[string(token)] = uint32(off)
	default:
		h.slab = h.slab[:off] // not kept: reuse the space
		return h.slab[off : off+n]
	}
	return h.slab[off : off+n]
}
