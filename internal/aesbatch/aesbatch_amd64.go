//go:build amd64 && !purego

package aesbatch

import "golang.org/x/sys/cpu"

// hasAESNI says whether the CPU can run the assembly.
var hasAESNI = cpu.X86.HasAES && cpu.X86.HasSSE41

// useAESNI is the dispatch state, hasAESNI unless a test turns it off.
var useAESNI = hasAESNI

// encryptBlocksAsm encrypts n ≥ 1 blocks from src to dst with the round
// keys at enc (rounds 10, 12 or 14), eight at a time while it can.
//
//go:noescape
func encryptBlocksAsm(enc *byte, rounds int, dst, src *byte, n int)

// UseAssembly turns the AES-NI path on (as far as the CPU allows) or off
// and reports whether it was on. For tests and benchmarks; not safe while
// encryptions run.
func UseAssembly(on bool) (was bool) {
	was = useAESNI
	useAESNI = on && hasAESNI
	return was
}
