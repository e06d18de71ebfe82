package encoding

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/welfare-district/swd/linkage/schema"
)

// TestCMACVectors checks AES-CMAC against the AES-256 examples of NIST SP
// 800-38B (the same vectors as RFC 4493's, with a 256-bit key; also what
// `openssl mac -cipher AES-256-CBC CMAC` gives) and the AES-128 ones of
// RFC 4493 §4, including the subkeys.
func TestCMACVectors(t *testing.T) {
	const msg = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51" +
		"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"
	for _, tc := range []struct {
		name, key, k1, k2 string
		mlen              int
		tag               string
	}{
		{"aes256/0", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "cad1ed03299eedac2e9a99808621502f", "95a3da06533ddb585d3533010c42a0d9", 0, "028962f61b7bf89efc6b551f4667d983"},
		{"aes256/16", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "", "", 16, "28a7023f452e8f82bd4bf28d8c37c35c"},
		{"aes256/40", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "", "", 40, "aaf3d8f1de5640c232f5b169b9c911e6"},
		{"aes256/64", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "", "", 64, "e1992190549f6ed5696a2c056c315410"},
		{"aes128/0", "2b7e151628aed2a6abf7158809cf4f3c", "fbeed618357133667c85e08f7236a8de", "f7ddac306ae266ccf90bc11ee46d513b", 0, "bb1d6929e95937287fa37d129b756746"},
		{"aes128/16", "2b7e151628aed2a6abf7158809cf4f3c", "", "", 16, "070a16b46b4d4144f79bdd9dd04a287c"},
		{"aes128/40", "2b7e151628aed2a6abf7158809cf4f3c", "", "", 40, "dfa66747de9ae63030ca32611497c827"},
		{"aes128/64", "2b7e151628aed2a6abf7158809cf4f3c", "", "", 64, "51f0bebf7e3b9d92fc49741779363cfe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, _ := hex.DecodeString(tc.key)
			m, _ := hex.DecodeString(msg)
			c := newCMAC(key)
			if tc.k1 != "" && (hex.EncodeToString(c.k1[:]) != tc.k1 || hex.EncodeToString(c.k2[:]) != tc.k2) {
				t.Fatalf("subkeys %x %x, want %s %s", c.k1, c.k2, tc.k1, tc.k2)
			}
			for range 2 { // the state is reset between calls
				if got := hex.EncodeToString(c.sum(m[:tc.mlen])[:]); got != tc.tag {
					t.Fatalf("tag %s, want %s", got, tc.tag)
				}
			}
		})
	}
}

func TestFingerprintIncludesPRF(t *testing.T) {
	s, err := schema.Parse([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	// Golden, checked with Python: hashlib.sha256(b"swd/prf/aes256-cmac-lanes\x00" +
	// goldenFingerprint.encode()).hexdigest(). Changing it makes the linker
	// refuse every existing encoded file.
	const want = "5ee947b68d4b7b69c8ff8269d0e3392e0e2596987ac13a685352addf2ed49200"
	if got := Fingerprint(s); got != want {
		t.Fatalf("Fingerprint = %s, want %s", got, want)
	}
	e := newTestEncoder(t, testSchema, testSecret(0))
	if got := e.Meta(Stats{}).SchemaFingerprint; got != want {
		t.Fatalf("encoder metadata fingerprint %s, want %s", got, want)
	}
}

func BenchmarkPRF(b *testing.B) {
	key := make([]byte, 32)
	for _, n := range []int{2, 11, 16, 30} {
		tok := make([]byte, n)
		b.Run("cmac/"+strconv.Itoa(n), func(b *testing.B) {
			c := newCMAC(key)
			for b.Loop() {
				c.sum(tok)
			}
		})
		b.Run("hmac/"+strconv.Itoa(n), func(b *testing.B) {
			h := hmac.New(sha256.New, key)
			var sum []byte
			for b.Loop() {
				h.Reset()
				h.Write(tok)
				sum = h.Sum(sum[:0])
			}
		})
	}
}

// TestBlockKeyGolden pins the blocking-key PRF end to end against values
// computed independently with OpenSSL 3:
//
//	K=$(openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt hexkey:000102…1f \
//	    -kdfopt info:swd/v1/block/cf HKDF)
//	printf RSSMRA85T10A562S | openssl mac -cipher AES-256-CBC -macopt hexkey:$K CMAC
//
// whose first 10 bytes are the cf key of the first sample row.
func TestBlockKeyGolden(t *testing.T) {
	const want = "b2ed341c170aebb2ad86"
	e := newTestEncoder(t, testSchema, testSecret(0))
	d, _, _ := encodeAll(t, e, sampleRows()[:1])
	if d.BlockKeys[1].Name != "cf" {
		t.Fatalf("block key 1 is %q", d.BlockKeys[1].Name)
	}
	if got := d.BlockKeys[1].Values[0]; got != want {
		t.Fatalf("cf blocking key %s, want %s", got, want)
	}
}
