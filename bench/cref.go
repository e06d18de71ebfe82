package bench

/*
#cgo CFLAGS: -O3 -march=native
#include <stdint.h>
#include <immintrin.h>

// The scalar reference: AND + __builtin_popcountll over the words, then the
// Dice threshold test on precomputed popcounts. need[s] is the least |a∧b|
// that reaches the threshold when |a|+|b| == s. The loop is instantiated
// for a compile-time word count too, so for 1024-bit filters GCC unrolls
// it fully: the reference is the best scalar code, not a strawman.
static inline __attribute__((always_inline)) int64_t scalar_match_w(const uint64_t *a, int64_t n,
		const uint64_t *b, int64_t m, const int64_t words,
		const uint32_t *pa, const uint32_t *pb, const uint32_t *need) {
	int64_t matches = 0;
	for (int64_t i = 0; i < n; i++) {
		const uint64_t *q = a + i * words;
		for (int64_t j = 0; j < m; j++) {
			const uint64_t *c = b + j * words;
			uint32_t cnt = 0;
			for (int64_t w = 0; w < words; w++) {
				cnt += (uint32_t)__builtin_popcountll(q[w] & c[w]);
			}
			matches += cnt >= need[pa[i] + pb[j]];
		}
	}
	return matches;
}

static int64_t scalar_match(const uint64_t *a, int64_t n, const uint64_t *b, int64_t m,
		int64_t words, const uint32_t *pa, const uint32_t *pb, const uint32_t *need) {
	switch (words) {
	case 8: return scalar_match_w(a, n, b, m, 8, pa, pb, need);
	case 16: return scalar_match_w(a, n, b, m, 16, pa, pb, need);
	case 32: return scalar_match_w(a, n, b, m, 32, pa, pb, need);
	}
	return scalar_match_w(a, n, b, m, words, pa, pb, need);
}

#ifdef __AVX2__
// Mula's nibble-LUT AND+popcount with VPSHUFB/VPSADBW, words % 4 == 0:
// the best a C compiler does with AVX2, the hardware limit of this CPU.
static inline __attribute__((always_inline)) int64_t avx2_match_w(const uint64_t *a, int64_t n,
		const uint64_t *b, int64_t m, const int64_t words,
		const uint32_t *pa, const uint32_t *pb, const uint32_t *need) {
	const __m256i lut = _mm256_setr_epi8(0,1,1,2,1,2,2,3,1,2,2,3,2,3,3,4,
		0,1,1,2,1,2,2,3,1,2,2,3,2,3,3,4);
	const __m256i low = _mm256_set1_epi8(0x0f);
	int64_t matches = 0;
	for (int64_t i = 0; i < n; i++) {
		const __m256i *q = (const __m256i *)(a + i * words);
		for (int64_t j = 0; j < m; j++) {
			const __m256i *c = (const __m256i *)(b + j * words);
			__m256i acc = _mm256_setzero_si256();
			for (int64_t k = 0; k < words / 4; k++) {
				__m256i v = _mm256_and_si256(_mm256_loadu_si256(q + k), _mm256_loadu_si256(c + k));
				__m256i lo = _mm256_and_si256(v, low);
				__m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
				__m256i cnt = _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo), _mm256_shuffle_epi8(lut, hi));
				acc = _mm256_add_epi64(acc, _mm256_sad_epu8(cnt, _mm256_setzero_si256()));
			}
			uint32_t total = (uint32_t)(_mm256_extract_epi64(acc, 0) + _mm256_extract_epi64(acc, 1) +
				_mm256_extract_epi64(acc, 2) + _mm256_extract_epi64(acc, 3));
			matches += total >= need[pa[i] + pb[j]];
		}
	}
	return matches;
}

static int64_t avx2_match(const uint64_t *a, int64_t n, const uint64_t *b, int64_t m,
		int64_t words, const uint32_t *pa, const uint32_t *pb, const uint32_t *need) {
	if (words % 4 != 0) return -1;
	switch (words) {
	case 8: return avx2_match_w(a, n, b, m, 8, pa, pb, need);
	case 16: return avx2_match_w(a, n, b, m, 16, pa, pb, need);
	case 32: return avx2_match_w(a, n, b, m, 32, pa, pb, need);
	}
	return avx2_match_w(a, n, b, m, words, pa, pb, need);
}
static int has_avx2(void) { return 1; }
#else
static int64_t avx2_match(const uint64_t *a, int64_t n, const uint64_t *b, int64_t m,
		int64_t words, const uint32_t *pa, const uint32_t *pb, const uint32_t *need) { return -1; }
static int has_avx2(void) { return 0; }
#endif
*/
import "C"

import "unsafe"

// cMatch runs a C loop over a (n vectors) × b (m vectors) and returns the
// number of pairs whose Dice reaches need; avx2 selects the vector loop.
func cMatch(avx2 bool, a, b []uint64, words int, pa, pb, need []uint32) int64 {
	n, m := len(a)/words, len(b)/words
	if n == 0 || m == 0 {
		return 0
	}
	args := func() (*C.uint64_t, C.int64_t, *C.uint64_t, C.int64_t, C.int64_t, *C.uint32_t, *C.uint32_t, *C.uint32_t) {
		return (*C.uint64_t)(unsafe.Pointer(&a[0])), C.int64_t(n),
			(*C.uint64_t)(unsafe.Pointer(&b[0])), C.int64_t(m), C.int64_t(words),
			(*C.uint32_t)(unsafe.Pointer(&pa[0])), (*C.uint32_t)(unsafe.Pointer(&pb[0])),
			(*C.uint32_t)(unsafe.Pointer(&need[0]))
	}
	if avx2 {
		return int64(C.avx2_match(args()))
	}
	return int64(C.scalar_match(args()))
}

// cHasAVX2 reports whether the C AVX2 loop was compiled (-march=native on
// an AVX2 machine) and may be run.
func cHasAVX2() bool { return C.has_avx2() != 0 }
