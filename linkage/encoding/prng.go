package encoding

import (
	"encoding/binary"
	"math/bits"
)

// xoshiro is xoshiro256** (Blackman & Vigna): the generator of a token's
// bit positions (random hashing), seeded from the token's 128-bit tag
// (newXoshiroTag), and of BLIP noise, seeded from a 32-byte MAC
// (newXoshiro).
type xoshiro struct{ s0, s1, s2, s3 uint64 }

// newXoshiro seeds the generator with the 32 bytes of seed.
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
	var r uint64
	r, x.s0, x.s1, x.s2, x.s3 = step(x.s0, x.s1, x.s2, x.s3)
	return r
}

// step is one xoshiro256** step on a state held in variables: loops that
// draw many outputs keep the state in registers instead of going through
// memory on every output (measured: 2.3× faster position drawing).
func step(s0, s1, s2, s3 uint64) (r, n0, n1, n2, n3 uint64) {
	r = bits.RotateLeft64(s1*5, 7) * 9
	t := s1 << 17
	s2 ^= s0
	s3 ^= s1
	s1 ^= s2
	s0 ^= s3
	s2 ^= t
	s3 = bits.RotateLeft64(s3, 45)
	return r, s0, s1, s2, s3
}

// positions reduces generator outputs to bit positions in [0, n) for one
// filter size n (a multiple of 64, at most 65536, as the schema demands).
// Every filter of a token starts on a fresh output.
//
//   - n a power of two: each 64-bit output gives four positions, its 16-bit
//     lanes from the lowest, each shifted right to log₂ n bits (exactly
//     uniform). The default filter sizes are all powers of two.
//   - otherwise: each output gives two positions, its 32-bit lanes from the
//     lowest, by Lemire's multiply-shift (lane·n)>>32 (each position's
//     probability is within 2⁻³² of 1/n).
//
// Drawing four positions per output instead of one makes random hashing
// about three times cheaper; see BenchmarkSetBits.
type positions struct {
	n     uint32
	shift uint8 // 16 − log₂ n when pow2
	pow2  bool
}

func newPositions(n int) positions {
	if n > 0 && n&(n-1) == 0 && n <= 1<<16 {
		return positions{n: uint32(n), shift: uint8(16 - bits.TrailingZeros(uint(n))), pow2: true}
	}
	return positions{n: uint32(n)}
}

// set sets k positions drawn from rng in f (len(f)·64 ≥ n).
func (p positions) set(rng *xoshiro, f []uint64, k int) {
	s0, s1, s2, s3 := rng.s0, rng.s1, rng.s2, rng.s3
	var v uint64
	if p.pow2 {
		s := p.shift & 15 // tells the compiler the shift is below 16
		for ; k >= 4; k -= 4 {
			v, s0, s1, s2, s3 = step(s0, s1, s2, s3)
			q0 := uint16(v) >> s
			q1 := uint16(v>>16) >> s
			q2 := uint16(v>>32) >> s
			q3 := uint16(v>>48) >> s
			f[q0>>6] |= 1 << (q0 & 63)
			f[q1>>6] |= 1 << (q1 & 63)
			f[q2>>6] |= 1 << (q2 & 63)
			f[q3>>6] |= 1 << (q3 & 63)
		}
		if k > 0 {
			v, s0, s1, s2, s3 = step(s0, s1, s2, s3)
			for ; k > 0; k-- {
				q := uint16(v) >> s
				f[q>>6] |= 1 << (q & 63)
				v >>= 16
			}
		}
	} else {
		n := uint64(p.n)
		for k > 0 {
			v, s0, s1, s2, s3 = step(s0, s1, s2, s3)
			q := uint32((v & 0xffffffff) * n >> 32)
			f[q>>6] |= 1 << (q & 63)
			if k--; k > 0 {
				q = uint32((v >> 32) * n >> 32)
				f[q>>6] |= 1 << (q & 63)
				k--
			}
		}
	}
	rng.s0, rng.s1, rng.s2, rng.s3 = s0, s1, s2, s3
}

// appendTo appends k positions drawn from rng to dst, the same positions
// set would set.
func (p positions) appendTo(dst []uint32, rng *xoshiro, k int) []uint32 {
	lanes, width := 2, 32
	if p.pow2 {
		lanes, width = 4, 16
	}
	for k > 0 {
		v := rng.next()
		for j := 0; j < lanes && k > 0; j++ {
			var q uint32
			if p.pow2 {
				q = uint32(uint16(v) >> p.shift)
			} else {
				q = uint32((v & 0xffffffff) * uint64(p.n) >> 32)
			}
			dst = append(dst, q)
			v >>= width
			k--
		}
	}
	return dst
}
