package aesbatch

import (
	"bytes"
	"crypto/aes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"
)

// paths lists the implementations this build can run, each with a
// function that selects it and returns a restore function.
func paths() map[string]func() func() {
	p := map[string]func() func(){
		"generic": func() func() { was := UseAssembly(false); return func() { UseAssembly(was) } },
	}
	was := UseAssembly(true)
	if UseAssembly(was) { // true when the CPU let it be turned on
		p["aesni"] = func() func() { w := UseAssembly(true); return func() { UseAssembly(w) } }
	}
	return p
}

func TestFIPS197(t *testing.T) {
	// FIPS 197 Appendix C.3 (AES-256); C.1 and C.2 are checked against
	// crypto/aes by TestMatchesCryptoAES.
	key, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	pt, _ := hex.DecodeString("00112233445566778899aabbccddeeff")
	const want = "8ea2b7ca516745bfeafc49904b496089"
	c, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	for name, use := range paths() {
		t.Run(name, func(t *testing.T) {
			defer use()()
			for n := range 11 { // the 8-block loop, the tail, and both
				src := bytes.Repeat(pt, n)
				dst := make([]byte, len(src))
				c.EncryptBlocks(dst, src)
				for i := range n {
					if got := hex.EncodeToString(dst[16*i : 16*i+16]); got != want {
						t.Fatalf("%d blocks: block %d = %s, want %s", n, i, got, want)
					}
				}
			}
		})
	}
}

func TestSBox(t *testing.T) {
	for in, want := range map[byte]byte{0x00: 0x63, 0x01: 0x7c, 0x53: 0xed, 0x10: 0xca, 0xff: 0x16, 0x9a: 0xb8} {
		if sbox[in] != want {
			t.Errorf("S(%#02x) = %#02x, want %#02x", in, sbox[in], want)
		}
	}
}

// TestMatchesCryptoAES: random keys, random blocks, every count from 0 to
// 40, in place and not, on every path.
func TestMatchesCryptoAES(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for name, use := range paths() {
		t.Run(name, func(t *testing.T) {
			defer use()()
			for trial := range 30 {
				key := make([]byte, 16+8*(trial%3)) // AES-128, -192, -256
				for i := range key {
					key[i] = byte(r.Uint32())
				}
				c, err := New(key)
				if err != nil {
					t.Fatal(err)
				}
				ref, _ := aes.NewCipher(key)
				for n := range 41 {
					src := make([]byte, 16*n)
					for i := range src {
						src[i] = byte(r.Uint32())
					}
					want := make([]byte, len(src))
					for i := 0; i < len(src); i += 16 {
						ref.Encrypt(want[i:], src[i:])
					}
					got := make([]byte, len(src))
					c.EncryptBlocks(got, src)
					if !bytes.Equal(got, want) {
						t.Fatalf("trial %d, %d blocks: differs from crypto/aes", trial, n)
					}
					c.EncryptBlocks(src, src)
					if !bytes.Equal(src, want) {
						t.Fatalf("trial %d, %d blocks in place: differs from crypto/aes", trial, n)
					}
				}
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	if _, err := New(make([]byte, 20)); err == nil {
		t.Fatal("a 20-byte key was accepted")
	}
	c, _ := New(make([]byte, 32))
	for _, tc := range []struct{ dst, src int }{{16, 15}, {16, 32}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("dst %d, src %d: no panic", tc.dst, tc.src)
				}
			}()
			c.EncryptBlocks(make([]byte, tc.dst), make([]byte, tc.src))
		}()
	}
}

func BenchmarkEncryptBlocks(b *testing.B) {
	c, _ := New(make([]byte, 32))
	for _, n := range []int{1, 8, 32} {
		src := make([]byte, 16*n)
		for name, use := range paths() {
			b.Run(fmt.Sprintf("%s/blocks=%d", name, n), func(b *testing.B) {
				defer use()()
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					c.EncryptBlocks(src, src)
				}
			})
		}
	}
}
