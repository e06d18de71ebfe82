package encoding

import (
	"crypto/aes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"

	"github.com/welfare-district/swd/internal/aesbatch"
	"github.com/welfare-district/swd/linkage/schema"
)

// PRF names the keyed function that hashes tokens and blocking keys. It is
// folded into the schema fingerprint written into encoded files
// (Fingerprint), so files made with different PRFs are never linked
// together.
const PRF = "aes256-cmac-lanes"

// Fingerprint is the schema fingerprint an encoded file carries: the hex
// SHA-256 of "swd/prf/" + PRF + a zero byte + s.Fingerprint(). It changes
// with anything that changes the encodings: the schema and the PRF.
func Fingerprint(s *schema.Schema) string {
	h := sha256.New()
	h.Write([]byte("swd/prf/" + PRF + "\x00"))
	h.Write([]byte(s.Fingerprint()))
	return hex.EncodeToString(h.Sum(nil))
}

// cmac is AES-CMAC (NIST SP 800-38B, RFC 4493) under a 256-bit key: a PRF
// with 128-bit output. One AES block costs a few tens of nanoseconds where
// an HMAC-SHA256 of a short token costs several hundred, and tokens and
// blocking keys of values that never repeat are hashed once per record.
// The last AES call of a tag can be batched with other tags' (lastBlock +
// aesbatch.EncryptBlocks), eight blocks for about the price of two.
// It is not safe for concurrent use (each worker has its own).
type cmac struct {
	b      *aesbatch.Cipher
	k1, k2 [aes.BlockSize]byte
	x      [aes.BlockSize]byte
}

func newCMAC(key []byte) *cmac {
	b, err := aesbatch.New(key)
	if err != nil {
		panic("encoding: AES key: " + err.Error()) // keys are HKDF outputs of 32 bytes
	}
	c := &cmac{b: b}
	var l [aes.BlockSize]byte
	b.Encrypt(l[:], l[:])
	c.k1 = dbl(l)
	c.k2 = dbl(c.k1)
	return c
}

// dbl is doubling in GF(2¹²⁸) with the CMAC polynomial (Rb = 0x87).
func dbl(v [aes.BlockSize]byte) [aes.BlockSize]byte {
	hi := binary.BigEndian.Uint64(v[:8])
	lo := binary.BigEndian.Uint64(v[8:])
	carry := hi >> 63
	hi = hi<<1 | lo>>63
	lo = lo<<1 ^ carry*0x87
	var r [aes.BlockSize]byte
	binary.BigEndian.PutUint64(r[:8], hi)
	binary.BigEndian.PutUint64(r[8:], lo)
	return r
}

// sum returns the 16-byte tag of msg. The array is valid until the next
// call.
func (c *cmac) sum(msg []byte) *[aes.BlockSize]byte {
	c.lastBlock(&c.x, msg)
	c.b.Encrypt(c.x[:], c.x[:])
	return &c.x
}

// lastBlock sets x to the input of the last AES call of msg's tag: the
// chaining value of all blocks but the last (computed here, one AES call
// each; none for messages of at most 16 bytes), XORed with the last block,
// padded (10*) and masked with k2, or masked with k1 when complete.
func (c *cmac) lastBlock(x *[aes.BlockSize]byte, msg []byte) {
	clear(x[:])
	for len(msg) > aes.BlockSize {
		xorInto(x, msg[:aes.BlockSize])
		c.b.Encrypt(x[:], x[:])
		msg = msg[aes.BlockSize:]
	}
	if len(msg) == aes.BlockSize {
		xorInto(x, msg)
		xorInto(x, c.k1[:])
		return
	}
	var last [aes.BlockSize]byte
	copy(last[:], msg)
	last[len(msg)] = 0x80
	xorInto(x, last[:])
	xorInto(x, c.k2[:])
}

func xorInto(x *[aes.BlockSize]byte, b []byte) {
	a0 := binary.LittleEndian.Uint64(x[:8]) ^ binary.LittleEndian.Uint64(b[:8])
	a1 := binary.LittleEndian.Uint64(x[8:]) ^ binary.LittleEndian.Uint64(b[8:16])
	binary.LittleEndian.PutUint64(x[:8], a0)
	binary.LittleEndian.PutUint64(x[8:], a1)
}

// newXoshiroTag seeds xoshiro256** from a 128-bit tag: the tag's two
// little-endian words and their images under SplitMix64's finaliser (a
// bijection), so the 256-bit state carries the tag's full 128 bits. The
// state is never the all-zero fixed point: mix64 maps only 0 to 0, so
// when hi is 0 the last word, mix64(0x9e3779b97f4a7c15), is not.
func newXoshiroTag(t *[aes.BlockSize]byte) xoshiro {
	lo := binary.LittleEndian.Uint64(t[:8])
	hi := binary.LittleEndian.Uint64(t[8:])
	return xoshiro{lo, hi, mix64(lo), mix64(hi ^ 0x9e3779b97f4a7c15)}
}

// mix64 is SplitMix64's output function.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
