package aesbatch

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
)

// BlockSize is the AES block size in bytes.
const BlockSize = aes.BlockSize

// maxRounds is the number of rounds of AES-256.
const maxRounds = 14

// Cipher is AES under one key. It is safe for concurrent use: it holds
// only the key schedule.
type Cipher struct {
	block  cipher.Block
	rounds int                               // 10, 12 or 14
	enc    [(maxRounds + 1) * BlockSize]byte // round keys, FIPS 197 byte order
}

// New returns the cipher of a 16-, 24- or 32-byte key (AES-128, -192,
// -256).
func New(key []byte) (*Cipher, error) {
	b, err := aes.NewCipher(key) // refuses other key lengths
	if err != nil {
		return nil, fmt.Errorf("aesbatch: %w", err)
	}
	c := &Cipher{block: b, rounds: len(key)/4 + 6}
	expandKey(c.enc[:(c.rounds+1)*BlockSize], key)
	return c, nil
}

// Encrypt encrypts the block src into dst (which may be src).
func (c *Cipher) Encrypt(dst, src []byte) { c.block.Encrypt(dst, src) }

// EncryptBlocks encrypts each 16-byte block of src into the same place in
// dst, independently (ECB). len(src) must be a multiple of BlockSize and
// len(dst) at least len(src); dst may be src, but must not otherwise
// overlap it (eight blocks are loaded before any is stored).
func (c *Cipher) EncryptBlocks(dst, src []byte) {
	if len(src)%BlockSize != 0 {
		panic("aesbatch: input not a multiple of the block size")
	}
	if len(dst) < len(src) {
		panic("aesbatch: output smaller than input")
	}
	n := len(src) / BlockSize
	if n == 0 {
		return
	}
	if useAESNI {
		encryptBlocksAsm(&c.enc[0], c.rounds, &dst[0], &src[0], n)
		return
	}
	for i := 0; i < len(src); i += BlockSize {
		c.block.Encrypt(dst[i:i+BlockSize], src[i:i+BlockSize])
	}
}

// expandKey computes the AES key schedule (FIPS 197 §5.2) of a key of nk
// = len(key)/4 words into enc (4·(rounds+1) words), stored big-endian so
// that round key r is bytes 16r..16r+15, the layout AESENC reads.
func expandKey(enc []byte, key []byte) {
	nk := len(key) / 4
	w := make([]uint32, len(enc)/4)
	for i := range nk {
		w[i] = binary.BigEndian.Uint32(key[4*i:])
	}
	rcon := uint32(1)
	for i := nk; i < len(w); i++ {
		t := w[i-1]
		switch {
		case i%nk == 0:
			t = subWord(t<<8|t>>24) ^ rcon<<24
			rcon = uint32(xtime(byte(rcon)))
		case nk > 6 && i%nk == 4:
			t = subWord(t)
		}
		w[i] = w[i-nk] ^ t
	}
	for i, v := range w {
		binary.BigEndian.PutUint32(enc[4*i:], v)
	}
}

func subWord(w uint32) uint32 {
	return uint32(sbox[w>>24])<<24 | uint32(sbox[w>>16&0xff])<<16 | uint32(sbox[w>>8&0xff])<<8 | uint32(sbox[w&0xff])
}

// xtime is multiplication by x in GF(2⁸) modulo x⁸+x⁴+x³+x+1.
func xtime(b byte) byte {
	return b<<1 ^ (b>>7)*0x1b
}

// sbox is the AES S-box, computed once from its definition (multiplicative
// inverse in GF(2⁸) followed by the affine map): TestSBox checks it
// against the published table's corners and crypto/aes checks the rest.
var sbox = func() (s [256]byte) {
	// p runs over GF(2⁸)* by multiplying by 3 and q over the inverses by
	// dividing by 3, so q = p⁻¹ at every step.
	p, q := byte(1), byte(1)
	for {
		p = p ^ xtime(p)
		q ^= q << 1
		q ^= q << 2
		q ^= q << 4
		if q&0x80 != 0 {
			q ^= 0x09
		}
		x := q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4)
		s[p] = x ^ 0x63
		if p == 1 {
			break
		}
	}
	s[0] = 0x63
	return s
}()

func rotl8(x byte, k uint) byte { return x<<k | x>>(8-k) }
