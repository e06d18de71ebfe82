package keyserver

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"fmt"

	"github.com/cloudflare/circl/oprf"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/keyfile"
)

// Suite is the OPRF suite (RFC 9497 §4.1).
var Suite = oprf.SuiteRistretto255

const keyPEMType = "SWD OPRF KEY"

// GenerateKey returns a new server key encoded as PEM (a secret: store it
// with keyfile.Write).
func GenerateKey() ([]byte, error) {
	k, err := oprf.GenerateKey(Suite, rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("keyserver: generating key: %w", err)
	}
	b, err := k.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("keyserver: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{
		Type:    keyPEMType,
		Headers: map[string]string{"Version": "1", "Suite": Suite.Identifier(), "Mode": "OPRF"},
		Bytes:   b,
	}), nil
}

// ParseKey decodes a key produced by GenerateKey.
func ParseKey(data []byte) (*oprf.PrivateKey, error) {
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != keyPEMType {
		return nil, fmt.Errorf("not a %s PEM block", keyPEMType)
	}
	if blk.Headers["Suite"] != Suite.Identifier() || blk.Headers["Version"] != "1" {
		return nil, fmt.Errorf("unsupported key version or suite")
	}
	k := new(oprf.PrivateKey)
	if err := k.UnmarshalBinary(Suite, blk.Bytes); err != nil {
		return nil, fmt.Errorf("invalid key")
	}
	return k, nil
}

// LoadKey reads the server key from a 0600 file.
func LoadKey(path string) (*oprf.PrivateKey, error) {
	return base.LoadFile(path, "OPRF key", keyfile.Read, ParseKey)
}

// NewToken returns a fresh bearer token (32 random bytes, hex).
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("keyserver: %w", err)
	}
	return hex.EncodeToString(b), nil
}
