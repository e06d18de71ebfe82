//go:build amd64 && !purego

// Hand-written AVX2/POPCNT kernels (see docs/performance.md for why they are
// not generated with avo). Nibble-LUT popcount after W. Muła, N. Kurz,
// D. Lemire, "Faster population counts using AVX2 instructions" (2018).

#include "textflag.h"

// popcount of each nibble value 0..15, twice (one copy per 128-bit lane).
DATA nibbleLUT<>+0x00(SB)/8, $0x0302020102010100
DATA nibbleLUT<>+0x08(SB)/8, $0x0403030203020201
DATA nibbleLUT<>+0x10(SB)/8, $0x0302020102010100
DATA nibbleLUT<>+0x18(SB)/8, $0x0403030203020201
GLOBL nibbleLUT<>(SB), RODATA|NOPTR, $32

DATA lowNibbles<>+0x00(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA lowNibbles<>+0x08(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA lowNibbles<>+0x10(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA lowNibbles<>+0x18(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL lowNibbles<>(SB), RODATA|NOPTR, $32

// func countPOPCNT(a *uint64, n int) int
TEXT ·countPOPCNT(SB), NOSPLIT, $0-24
	MOVQ a+0(FP), SI
	MOVQ n+8(FP), CX
	XORQ AX, AX
	XORQ R8, R8
	XORQ R9, R9
	XORQ R10, R10

cnt4:
	CMPQ CX, $4
	JLT  cnt1
	POPCNTQ 0(SI), DX
	POPCNTQ 8(SI), R11
	POPCNTQ 16(SI), R12
	POPCNTQ 24(SI), R13
	ADDQ DX, AX
	ADDQ R11, R8
	ADDQ R12, R9
	ADDQ R13, R10
	ADDQ $32, SI
	SUBQ $4, CX
	JMP  cnt4

cnt1:
	TESTQ CX, CX
	JZ    cntdone
	POPCNTQ 0(SI), DX
	ADDQ DX, AX
	ADDQ $8, SI
	DECQ CX
	JMP  cnt1

cntdone:
	ADDQ R8, AX
	ADDQ R9, R10
	ADDQ R10, AX
	MOVQ AX, ret+16(FP)
	RET

// func andCountPOPCNT(a, b *uint64, n int) int
TEXT ·andCountPOPCNT(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	XORQ R8, R8
	XORQ R9, R9
	XORQ R10, R10

and4:
	CMPQ CX, $4
	JLT  and1
	MOVQ 0(SI), DX
	MOVQ 8(SI), R11
	MOVQ 16(SI), R12
	MOVQ 24(SI), R13
	ANDQ 0(DI), DX
	ANDQ 8(DI), R11
	ANDQ 16(DI), R12
	ANDQ 24(DI), R13
	POPCNTQ DX, DX
	POPCNTQ R11, R11
	POPCNTQ R12, R12
	POPCNTQ R13, R13
	ADDQ DX, AX
	ADDQ R11, R8
	ADDQ R12, R9
	ADDQ R13, R10
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $4, CX
	JMP  and4

and1:
	TESTQ CX, CX
	JZ    anddone
	MOVQ 0(SI), DX
	ANDQ 0(DI), DX
	POPCNTQ DX, DX
	ADDQ DX, AX
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ CX
	JMP  and1

anddone:
	ADDQ R8, AX
	ADDQ R9, R10
	ADDQ R10, AX
	MOVQ AX, ret+24(FP)
	RET

// func andCountBatchAVX2(q *uint64, words int, arena *uint64, n int, dst *uint32) uint32
TEXT ·andCountBatchAVX2(SB), NOSPLIT, $0-44
	MOVQ q+0(FP), SI
	MOVQ words+8(FP), BX
	MOVQ arena+16(FP), DI
	MOVQ n+24(FP), CX
	MOVQ dst+32(FP), DX
	VMOVDQU lowNibbles<>(SB), Y4
	VMOVDQU nibbleLUT<>(SB), Y5
	VPXOR   Y6, Y6, Y6
	MOVQ    BX, R8
	SHRQ    $2, R8 // 256-bit blocks per vector
	MOVQ    BX, R9
	ANDQ    $3, R9 // tail words
	XORQ    R13, R13 // largest count so far

gcand:
	TESTQ CX, CX
	JZ    gdone
	VPXOR Y7, Y7, Y7 // four 64-bit partial sums
	MOVQ  SI, R10
	MOVQ  R8, R11

gblock:
	TESTQ    R11, R11
	JZ       gblockdone
	VMOVDQU  (R10), Y0
	VPAND    (DI), Y0, Y0
	VPSRLW   $4, Y0, Y1
	VPAND    Y4, Y0, Y0
	VPAND    Y4, Y1, Y1
	VPSHUFB  Y0, Y5, Y0
	VPSHUFB  Y1, Y5, Y1
	VPADDB   Y0, Y1, Y0
	VPSADBW  Y6, Y0, Y0
	VPADDQ   Y0, Y7, Y7
	ADDQ     $32, R10
	ADDQ     $32, DI
	DECQ     R11
	JMP      gblock

gblockdone:
	VEXTRACTI128 $1, Y7, X0
	VPADDQ       X0, X7, X0
	VPSHUFD      $0x4e, X0, X1
	VPADDQ       X0, X1, X0
	VMOVQ        X0, AX
	MOVQ         R9, R11

gtail:
	TESTQ   R11, R11
	JZ      gstore
	MOVQ    (R10), R12
	ANDQ    (DI), R12
	POPCNTQ R12, R12
	ADDQ    R12, AX
	ADDQ    $8, R10
	ADDQ    $8, DI
	DECQ    R11
	JMP     gtail

gstore:
	MOVL    AX, (DX)
	CMPQ    AX, R13
	CMOVQGT AX, R13
	ADDQ $4, DX
	DECQ CX
	JMP  gcand

gdone:
	MOVL R13, ret+40(FP)
	VZEROUPPER
	RET

// CAND16 leaves in S the four 64-bit partial popcounts of (query ∧ the
// 1024-bit candidate at off(DI)). Query in Y0-Y3, nibble mask Y4, LUT Y5,
// zero Y6; clobbers Y7, Y8, Y9, Y14.
#define CAND16(off, S) \
	VPAND   off+0(DI), Y0, Y7  \
	VPAND   off+32(DI), Y1, Y8 \
	VPSRLW  $4, Y7, Y9         \
	VPSRLW  $4, Y8, Y14        \
	VPAND   Y4, Y7, Y7         \
	VPAND   Y4, Y8, Y8         \
	VPAND   Y4, Y9, Y9         \
	VPAND   Y4, Y14, Y14       \
	VPSHUFB Y7, Y5, Y7         \
	VPSHUFB Y8, Y5, Y8         \
	VPSHUFB Y9, Y5, Y9         \
	VPSHUFB Y14, Y5, Y14       \
	VPADDB  Y7, Y8, Y7         \
	VPADDB  Y9, Y14, Y9        \
	VPADDB  Y7, Y9, S          \
	VPAND   off+64(DI), Y2, Y7 \
	VPAND   off+96(DI), Y3, Y8 \
	VPSRLW  $4, Y7, Y9         \
	VPSRLW  $4, Y8, Y14        \
	VPAND   Y4, Y7, Y7         \
	VPAND   Y4, Y8, Y8         \
	VPAND   Y4, Y9, Y9         \
	VPAND   Y4, Y14, Y14       \
	VPSHUFB Y7, Y5, Y7         \
	VPSHUFB Y8, Y5, Y8         \
	VPSHUFB Y9, Y5, Y9         \
	VPSHUFB Y14, Y5, Y14       \
	VPADDB  Y7, Y8, Y7         \
	VPADDB  Y9, Y14, Y9        \
	VPADDB  Y7, Y9, Y7         \
	VPADDB  Y7, S, S           \
	VPSADBW Y6, S, S

// func andCountBatch16AVX2(q *uint64, arena *uint64, n int, dst *uint32) uint32
TEXT ·andCountBatch16AVX2(SB), NOSPLIT, $0-36
	MOVQ    q+0(FP), SI
	MOVQ    arena+8(FP), DI
	MOVQ    n+16(FP), CX
	MOVQ    dst+24(FP), DX
	VMOVDQU 0(SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 64(SI), Y2
	VMOVDQU 96(SI), Y3
	VMOVDQU lowNibbles<>(SB), Y4
	VMOVDQU nibbleLUT<>(SB), Y5
	VPXOR   Y6, Y6, Y6
	VPXOR   Y15, Y15, Y15 // largest counts so far
	SHRQ    $2, CX

loop16:
	TESTQ CX, CX
	JZ    done16
	CAND16(0, Y10)
	CAND16(128, Y11)
	CAND16(256, Y12)
	CAND16(384, Y13)

	// Transpose-add the four candidates' partial sums into one qword each.
	VPUNPCKLQDQ Y11, Y10, Y7
	VPUNPCKHQDQ Y11, Y10, Y8
	VPADDQ      Y7, Y8, Y7
	VPUNPCKLQDQ Y13, Y12, Y8
	VPUNPCKHQDQ Y13, Y12, Y9
	VPADDQ      Y8, Y9, Y8
	VPERM2I128  $0x20, Y8, Y7, Y9
	VPERM2I128  $0x31, Y8, Y7, Y14
	VPADDQ      Y9, Y14, Y9
	VPSHUFD     $0x08, Y9, Y9
	VPERMQ      $0x08, Y9, Y9
	VMOVDQU     X9, (DX)
	VPMAXUD     Y9, Y15, Y15

	ADDQ $512, DI
	ADDQ $16, DX
	DECQ CX
	JMP  loop16

done16:
	VEXTRACTI128 $1, Y15, X0
	VPMAXUD      X0, X15, X0
	VPSHUFD      $0x4e, X0, X1
	VPMAXUD      X0, X1, X0
	VPSHUFD      $0xb1, X0, X1
	VPMAXUD      X0, X1, X0
	VMOVD        X0, AX
	MOVL         AX, ret+32(FP)
	VZEROUPPER
	RET
