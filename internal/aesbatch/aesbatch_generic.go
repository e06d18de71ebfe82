//go:build !amd64 || purego

package aesbatch

const useAESNI = false

func encryptBlocksAsm(enc *byte, rounds int, dst, src *byte, n int) {
	panic("aesbatch: no assembly on this platform")
}

// UseAssembly reports false: this build has no assembly.
func UseAssembly(bool) bool { return false }
