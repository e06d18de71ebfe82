package encoding

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/welfare-district/swd/internal/aesbatch"
)

// TestTokenPositionsGolden pins random hashing end to end (HKDF field key,
// AES-256-CMAC of the token, xoshiro256** seeded from the tag, four 16-bit
// lanes per output for power-of-two sizes, two 32-bit multiply-shift lanes
// otherwise) against testdata/positions_reference.py, an independent
// implementation on Python's cryptography package. Changing these values
// changes every encoding: bump PRF with them.
func TestTokenPositionsGolden(t *testing.T) {
	tests := []struct {
		field, token       string
		bits, k, clk, kCLK int
		want, wantCLK      []uint32
	}{
		{"surname", "_R", 512, 20, 1024, 15,
			[]uint32{123, 470, 57, 492, 508, 34, 397, 374, 178, 349, 174, 141, 143, 175, 192, 170, 212, 2, 172, 352},
			[]uint32{608, 211, 173, 822, 236, 606, 192, 867, 826, 172, 129, 229, 954, 121, 681}},
		{"dob", "y:1985", 256, 20, 960, 15,
			[]uint32{216, 215, 35, 201, 200, 54, 79, 11, 105, 204, 173, 228, 63, 110, 115, 182, 161, 245, 61, 10},
			[]uint32{757, 952, 878, 542, 787, 652, 598, 637, 148, 497, 266, 533, 592, 918, 955}},
		{"surname", "1985\x1fRO", 512, 20, 1024, 15,
			[]uint32{22, 207, 265, 484, 177, 372, 323, 261, 403, 434, 1, 389, 207, 88, 375, 11, 120, 480, 305, 240},
			[]uint32{188, 973, 104, 605, 24, 952, 1001, 99, 335, 197, 626, 390, 567, 146, 826}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%q", tc.field, tc.token), func(t *testing.T) {
			key := testSecret(0).Key("swd/v1/field/" + tc.field)
			for _, capacity := range []int{0, 16} { // drawn, and through the short-token table
				h := newTokenHasher(key, tc.bits, tc.k, tc.clk, tc.kCLK, capacity)
				got := h.draw(nil, []byte(tc.token))
				if !slices.Equal(got[:tc.k], tc.want) || !slices.Equal(got[tc.k:], tc.wantCLK) {
					t.Fatalf("positions %v, want %v then %v", got, tc.want, tc.wantCLK)
				}
				f := make([]uint64, (tc.bits+63)/64)
				clk := make([]uint64, (tc.clk+63)/64)
				h.setTokens(oneToken(tc.token), f, clk)
				if !slices.Equal(f, bitsOf(tc.want, len(f))) || !slices.Equal(clk, bitsOf(tc.wantCLK, len(clk))) {
					t.Fatal("setTokens sets other bits than draw draws")
				}
			}
		})
	}
}

// TestXoshiroTagNonZero: the all-zero tag, the only candidate, does not
// seed the generator's all-zero fixed point.
func TestXoshiroTagNonZero(t *testing.T) {
	if x := newXoshiroTag(&[16]byte{}); x == (xoshiro{}) {
		t.Fatal("the zero tag seeds the all-zero state")
	}
}

// oneToken is a token buffer holding tok alone.
func oneToken(tok string) *tokenBuf {
	var t tokenBuf
	t.add(nil, tok)
	return &t
}

func bitsOf(pos []uint32, words int) []uint64 {
	v := make([]uint64, words)
	for _, q := range pos {
		v[q>>6] |= 1 << (q & 63)
	}
	return v
}

// TestPositionsUniform checks both reductions with a χ² test over 64
// buckets, and that set and appendTo agree for every k (partial lanes).
func TestPositionsUniform(t *testing.T) {
	for _, n := range []int{64, 512, 1024, 65536, 960, 1000 * 64} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			p := newPositions(n)
			rng := newXoshiro(make([]byte, 32))
			const draws, buckets = 1 << 18, 64
			var count [buckets]float64
			for _, q := range p.appendTo(nil, &rng, draws) {
				if int(q) >= n {
					t.Fatalf("position %d outside [0, %d)", q, n)
				}
				count[int(q)*buckets/n]++
			}
			chi2 := 0.0
			for _, c := range count {
				d := c - draws/buckets
				chi2 += d * d / (draws / buckets)
			}
			// 63 degrees of freedom: P(χ² > 110) < 2·10⁻⁴.
			if chi2 > 110 || math.IsNaN(chi2) {
				t.Fatalf("χ² = %.1f over %d buckets", chi2, buckets)
			}
			for k := range 10 {
				a, b := newXoshiro(make([]byte, 32)), newXoshiro(make([]byte, 32))
				f := make([]uint64, (n+63)/64)
				p.set(&a, f, k)
				if want := bitsOf(p.appendTo(nil, &b, k), len(f)); !slices.Equal(f, want) {
					t.Fatalf("k=%d: set and appendTo disagree", k)
				}
				if a != b {
					t.Fatalf("k=%d: set and appendTo consume different outputs", k)
				}
			}
		})
	}
}

// BenchmarkSetBits is the cost of drawing and setting the positions of one
// name token (k = 20 in 512 bits, 15 in the 1024-bit CLK).
func BenchmarkSetBits(b *testing.B) {
	h := newTokenHasher(testSecret(0).Key("swd/v1/field/surname"), 512, 20, 1024, 15, 0)
	f, clk := make([]uint64, 8), make([]uint64, 16)
	tok := oneToken("1985\x1fRO")
	for b.Loop() {
		h.setTokens(tok, f, clk)
	}
}

// TestSetTokensMatchesDraw: hashing a value's tokens in one batch sets the
// bits of the positions draw draws for each token alone (one CMAC at a
// time, no table), on every AES path, for tokens of every length around
// the block boundaries, cached or not.
func TestSetTokensMatchesDraw(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, asm := range []bool{false, true} {
		t.Run(fmt.Sprintf("aesni=%v", asm), func(t *testing.T) {
			defer aesbatch.UseAssembly(aesbatch.UseAssembly(asm))
			for _, capacity := range []int{0, 64} {
				h := newTokenHasher(testSecret(3).Key("swd/v1/field/x"), 512, 20, 1024, 15, capacity)
				ref := newTokenHasher(testSecret(3).Key("swd/v1/field/x"), 512, 20, 1024, 15, 0)
				for trial := range 200 {
					var tb tokenBuf
					tb.reset()
					for range r.IntN(25) {
						tok := make([]byte, r.IntN(40))
						for i := range tok {
							tok[i] = byte('A' + r.IntN(4))
						}
						tb.add(nil, string(tok))
					}
					f, clk := make([]uint64, 8), make([]uint64, 16)
					h.setTokens(&tb, f, clk)
					wf, wclk := make([]uint64, 8), make([]uint64, 16)
					for j := range tb.len() {
						pos := ref.draw(nil, tb.token(j))
						orInto(wf, bitsOf(pos[:ref.k], len(wf)))
						orInto(wclk, bitsOf(pos[ref.k:], len(wclk)))
					}
					if !slices.Equal(f, wf) || !slices.Equal(clk, wclk) {
						t.Fatalf("cache %d, trial %d: batch and one-by-one hashing differ", capacity, trial)
					}
				}
			}
		})
	}
}

func BenchmarkPositionsSet(b *testing.B) {
	p, c := newPositions(512), newPositions(1024)
	f, clk := make([]uint64, 8), make([]uint64, 16)
	rng := newXoshiro(make([]byte, 32))
	for b.Loop() {
		p.set(&rng, f, 20)
		c.set(&rng, clk, 15)
	}
}
