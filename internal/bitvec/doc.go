// Package bitvec is swd's leaf kernel package: fixed-size bit vectors (Bloom
// filters, CLKs) in contiguous arenas, and the AND+popcount similarity
// kernels (Dice, Jaccard, Hamming) that the matching core runs billions of
// times. It imports only math/bits, encoding/binary and golang.org/x/sys/cpu.
package bitvec
