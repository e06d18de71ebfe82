package encoding

import (
	"encoding/binary"
	"math/bits"
)

// xoshiro is xoshiro256** (Blackman & Vigna), seeded from a 32-byte MAC: the
// generator of a token's bit positions (random hashing) and of BLIP noise.
type xoshiro struct{ s0, s1, s2, s3 uint64 }

func newXoshiro(seed []byte) xoshiro {
	x := xoshiro{
		binary.LittleEndian.Uint64(seed[0:]),
		binary.LittleEndian.Uint64(seed[8:]),
		binary.LittleEndian.Uint64(seed[16:]),
		binary.LittleEndian.Uint64(seed[24:]),
	}
	if x.s0|x.s1|x.s2|x.s3 == 0 {
		x.s0 = 1 // the all-zero state is a fixed point
	}
	return x
}

func (x *xoshiro) next() uint64 {
	r := bits.RotateLeft64(x.s1*5, 7) * 9
	t := x.s1 << 17
	x.s2 ^= x.s0
	x.s3 ^= x.s1
	x.s1 ^= x.s2
	x.s0 ^= x.s3
	x.s2 ^= t
	x.s3 = bits.RotateLeft64(x.s3, 45)
	return r
}

// below returns a position in [0, n) by Lemire's multiply-shift on 64 bits
// (bias below 2⁻⁴⁸ for n ≤ 65536).
func (x *xoshiro) below(n int) uint32 {
	hi, _ := bits.Mul64(x.next(), uint64(n))
	return uint32(hi)
}
