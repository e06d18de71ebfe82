package encoding

import "crypto/aes"

// tokenHasher maps the tokens of one field to their bit positions: k in the
// field filter and kCLK in the CLK. A token's positions are drawn by
// xoshiro256** seeded with AES-256-CMAC(field key, token), i.e. random
// hashing, not double hashing (see positions for the reduction). Tokens of
// one or two bytes (the q-grams of unsalted fields, which repeat all the
// time) are memoised in a direct-indexed table; longer tokens (salted
// q-grams, whole values, name and date parts) are hashed every time, the
// last AES call of all a value's tags in one batch (setTokens): one
// AES-CMAC costs less than a lookup in a map of strings of that size
// (measured: the map took 8× the CPU time of the PRF it saved). The table
// only memoises a pure function, so output never depends on its state.
type tokenHasher struct {
	mac   *cmac
	fpos  positions // field filter positions
	cpos  positions // CLK positions
	k     int
	kCLK  int
	cap   int     // most tokens in the table; 0 = no table
	short []int32 // 1–2-byte token → offset+1 into slab, 0 = not yet
	slab  []uint32
	batch []byte // setTokens: last CMAC blocks, then tags, of the hashed tokens
}

// defaultCacheEntries bounds each per-worker, per-field token table and
// (half of it) value cache.
const defaultCacheEntries = 1 << 14

func newTokenHasher(key []byte, bits, k, clkBits, kCLK, capacity int) *tokenHasher {
	return &tokenHasher{
		mac:  newCMAC(key),
		fpos: newPositions(bits),
		cpos: newPositions(clkBits),
		k:    k,
		kCLK: kCLK,
		cap:  capacity,
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
// positions of a token of one or two bytes, from the table. The slice is
// valid until the next call.
func (h *tokenHasher) positions(token []byte) []uint32 {
	n := h.k + h.kCLK
	if h.short == nil {
		h.short = make([]int32, 1<<16+256)
	}
	i := shortIndex(token)
	if o := int(h.short[i]); o > 0 {
		return h.slab[o-1 : o-1+n]
	}
	if len(h.slab) >= h.cap*n {
		clear(h.short)
		h.slab = h.slab[:0]
	}
	off := len(h.slab)
	h.slab = h.draw(h.slab, token)
	h.short[i] = int32(off + 1)
	return h.slab[off : off+n]
}

// cached reports whether token's positions come from the table.
func (h *tokenHasher) cached(token []byte) bool {
	return h.cap > 0 && len(token) > 0 && len(token) <= 2
}

// setTokens sets the bits of every token in t (already salted): its k
// positions in f and its kCLK positions in clk, the positions draw draws.
// Uncached tokens are drawn straight into the filters, without going
// through a slice. The final AES block of each hashed token's CMAC goes
// into one batch, which aesbatch encrypts eight blocks at a time (about
// five times cheaper per block than one at a time on AES-NI).
func (h *tokenHasher) setTokens(t *tokenBuf, f, clk []uint64) {
	b := h.batch[:0]
	for j := range t.len() {
		if tok := t.token(j); !h.cached(tok) {
			n := len(b)
			b = append(b, make([]byte, aes.BlockSize)...)
			h.mac.lastBlock((*[aes.BlockSize]byte)(b[n:]), tok)
		}
	}
	h.batch = b
	h.mac.b.EncryptBlocks(b, b)
	for j := range t.len() {
		tok := t.token(j)
		if h.cached(tok) {
			pos := h.positions(tok)
			for _, q := range pos[:h.k] {
				f[q>>6] |= 1 << (q & 63)
			}
			for _, q := range pos[h.k:] {
				clk[q>>6] |= 1 << (q & 63)
			}
			continue
		}
		rng := newXoshiroTag((*[aes.BlockSize]byte)(b[:aes.BlockSize]))
		b = b[aes.BlockSize:]
		h.fpos.set(&rng, f, h.k)
		h.cpos.set(&rng, clk, h.kCLK)
	}
}

// draw appends the positions of token to dst.
func (h *tokenHasher) draw(dst []uint32, token []byte) []uint32 {
	rng := newXoshiroTag(h.mac.sum(token))
	dst = h.fpos.appendTo(dst, &rng, h.k)
	return h.cpos.appendTo(dst, &rng, h.kCLK)
}
