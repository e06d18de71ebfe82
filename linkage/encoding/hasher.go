package encoding

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
)

// tokenHasher maps the tokens of one field to their bit positions: k in the
// field filter and kCLK in the CLK. A token's positions are drawn by
// xoshiro256** seeded with HMAC-SHA256(field key, token), i.e. random
// hashing, not double hashing. Results are cached per token (names and
// their q-grams repeat: this is the main speed lever); the cache only
// memoises a pure function, so output never depends on its state.
type tokenHasher struct {
	mac      hash.Hash
	sum      []byte
	bits     int
	k        int
	clkBits  int
	kCLK     int
	cache    map[string]uint32 // token → offset into slab
	slab     []uint32
	capacity int
	key      []byte // salted-token scratch
}

// defaultCacheEntries bounds each per-worker, per-field cache.
const defaultCacheEntries = 1 << 16

func newTokenHasher(key []byte, bits, k, clkBits, kCLK, capacity int) *tokenHasher {
	return &tokenHasher{
		mac:      hmac.New(sha256.New, key),
		sum:      make([]byte, 0, sha256.Size),
		bits:     bits,
		k:        k,
		clkBits:  clkBits,
		kCLK:     kCLK,
		cache:    make(map[string]uint32),
		capacity: capacity,
	}
}

// positions returns the k field positions followed by the kCLK CLK
// positions of token (already salted). The slice is valid until the next
// call.
func (h *tokenHasher) positions(token []byte) []uint32 {
	n := h.k + h.kCLK
	if off, ok := h.cache[string(token)]; ok {
		return h.slab[off : off+uint32(n)]
	}
	h.mac.Reset()
	h.mac.Write(token)
	h.sum = h.mac.Sum(h.sum[:0])
	rng := newXoshiro(h.sum)
	if len(h.cache) >= h.capacity {
		clear(h.cache)
		h.slab = h.slab[:0]
	}
	off := len(h.slab)
	for i := 0; i < h.k; i++ {
		h.slab = append(h.slab, rng.below(h.bits))
	}
	for i := 0; i < h.kCLK; i++ {
		h.slab = append(h.slab, rng.below(h.clkBits))
	}
	if h.capacity > 0 {
		h.cache[string(token)] = uint32(off)
	}
	return h.slab[off : off+n]
}
