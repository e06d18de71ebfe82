package encoding

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/welfare-district/swd/internal/base"
)

// SecretSize is the size in bytes of a linkage secret.
const SecretSize = 32

// Secret is the linkage secret the partners share. The linkage unit never
// holds it. Its String method hides it.
type Secret [SecretSize]byte

// GenerateSecret returns a fresh secret from the system's CSPRNG.
func GenerateSecret() (Secret, error) {
	var s Secret
	if _, err := rand.Read(s[:]); err != nil {
		return Secret{}, fmt.Errorf("generating secret: %w", err)
	}
	return s, nil
}

// ErrBadSecret reports a secret file that does not hold a secret.
var ErrBadSecret = base.Mark(errors.New("encoding: a secret file holds 64 hexadecimal digits (swd keygen writes one)"), base.ErrInvalidInput)

// ParseSecret decodes the content of a secret file: 64 hexadecimal digits,
// surrounding white space ignored. The error never quotes the content.
func ParseSecret(b []byte) (Secret, error) {
	b = bytes.TrimSpace(b)
	var s Secret
	if len(b) != 2*SecretSize {
		return Secret{}, ErrBadSecret
	}
	if _, err := hex.Decode(s[:], b); err != nil {
		return Secret{}, ErrBadSecret
	}
	return s, nil
}

// MarshalText is the file form of the secret: lower-case hex.
func (s Secret) MarshalText() ([]byte, error) {
	return []byte(hex.EncodeToString(s[:])), nil
}

// String never prints the secret.
func (s Secret) String() string { return "encoding.Secret(redacted)" }

// GoString never prints the secret.
func (s Secret) GoString() string { return s.String() }

// Key derives a 32-byte subkey for the given purpose with HKDF-SHA256
// (no salt, info = label). Labels in use: "swd/v1/field/<name>" (<name> the field's
// schema.Field.KeyName), "swd/v1/clk/<name>" (a field keyed with another's key),
// "swd/v1/block/<name>", "swd/v1/pseudonym", "swd/v1/blip", "swd/v1/kcv".
func (s Secret) Key(label string) []byte {
	k, err := hkdf.Key(sha256.New, s[:], nil, label, 32)
	if err != nil {
		panic("encoding: HKDF: " + err.Error()) // only for lengths > 255·32
	}
	return k
}

// KeyCheck is the key check value written into every encoded file: the hex
// of the first 8 bytes of HMAC-SHA256(HKDF(secret, "swd/v1/kcv"),
// "swd key check value v1"). Equal values mean equal secrets; it reveals
// nothing usable about the secret.
func (s Secret) KeyCheck() string {
	m := hmac.New(sha256.New, s.Key("swd/v1/kcv"))
	m.Write([]byte("swd key check value v1"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}
