// Package aesbatch encrypts many independent AES blocks at once (ECB
// over a batch of unrelated inputs), the primitive behind computing the
// AES-CMAC tags of all the tokens of a record together.
//
// One AES-256 block costs about 60 cycles of latency (14 dependent rounds)
// but an AES-NI unit accepts a new round every cycle, so eight blocks in
// flight cost little more than one. crypto/aes exposes only single-block
// Encrypt; on amd64 with AES-NI this package runs eight blocks per round
// key in assembly, with its own key schedule; elsewhere, or with the
// purego build tag, it falls back to crypto/aes one block at a time. Tests
// check that both paths agree with crypto/aes.
//
// ECB is never a mode for encrypting messages: callers use it as a PRF on
// distinct, independently formatted inputs (CMAC's final block).
package aesbatch
