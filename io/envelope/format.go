package envelope

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/cloudflare/circl/hpke"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
)

// Format constants (docs/envelope.md).
const (
	Magic            = "SWDENV"
	Version          = 1
	SuiteXWingAES256 = 1 // HPKE X-Wing / HKDF-SHA256 / AES-256-GCM; Ed25519+ML-DSA-65
	DefaultChunkSize = 64 << 10

	preambleSize = len(Magic) + 1 + 1 + 4 + 4
	recordHeader = 1 + 4 // flag, ciphertext length
	tagSize      = 16
	minChunkLog  = 6
	maxChunkLog  = 24

	flagMore = 0x00
	flagLast = 0x01

	infoPrefix = "swd/envelope/v1"
	sigContext = "swd/envelope/v1/signature"
)

var suite = hpke.NewSuite(hpke.KEM_XWING, hpke.KDF_HKDF_SHA256, hpke.AEAD_AES256GCM)

// TrustStore finds the public keys of trusted signers. *identity.Keyring
// implements it.
type TrustStore interface {
	Lookup(id identity.KeyID) (*identity.Public, bool)
}

// LoadTrustStore reads every *.pub file of dir.
func LoadTrustStore(dir string) (*identity.Keyring, error) { return identity.LoadKeyring(dir) }

func validChunkSize(n uint32) bool {
	return n >= 1<<minChunkLog && n <= 1<<maxChunkLog && n&(n-1) == 0
}

func preamble(chunkSize uint32, headerLen int) []byte {
	p := make([]byte, 0, preambleSize)
	p = append(p, Magic...)
	p = append(p, Version, SuiteXWingAES256)
	p = binary.BigEndian.AppendUint32(p, chunkSize)
	return binary.BigEndian.AppendUint32(p, uint32(headerLen))
}

// hpkeInfo binds the key schedule to the preamble and the header.
func hpkeInfo(preambleAndHeader []byte) []byte {
	h := sha256.Sum256(preambleAndHeader)
	return append([]byte(infoPrefix), h[:]...)
}

func recordHdr(flag byte, ctLen int) []byte {
	r := make([]byte, recordHeader)
	r[0] = flag
	binary.BigEndian.PutUint32(r[1:], uint32(ctLen))
	return r
}

func integrityf(format string, args ...any) error {
	return base.Mark(fmt.Errorf("envelope: "+format, args...), base.ErrIntegrity)
}
