// Package identity is the public face of the key pairs of the parties of a
// linkage: each partner, the linkage unit and each key custodian holds one
// identity, an HPKE key pair for the X-Wing KEM (to which envelopes are
// sealed, see io/envelope) and a hybrid Ed25519 + ML-DSA-65 signing key pair
// (with which partners sign envelopes and the linkage unit signs its budget
// ledger, see dp).
//
// The types are aliases of the implementation in internal/identity, so
// values returned here are accepted everywhere the library takes a key:
// envelope.Open and envelope.Seal, dp.InitLedger and dp.OpenLedger. Private keys
// are secret material: keep key files at mode 0600 (WritePair does) and never
// log them.
package identity

import (
	"io"

	"github.com/welfare-district/swd/internal/identity"
)

type (
	// Private is a complete identity (secret); it embeds its Public half.
	Private = identity.Private
	// Public is the public half of an identity, named after its party.
	Public = identity.Public
	// KeyID identifies a public key: 16 bytes of SHA-256 over the version,
	// the name and the public keys.
	KeyID = identity.KeyID
	// Keyring is a set of trusted public keys; it satisfies
	// envelope.TrustStore.
	Keyring = identity.Keyring
	// Share is one key custodian's Shamir share of a linkage secret
	// (secret material).
	Share = identity.Share
)

// Generate creates a new identity named name (1-64 letters, digits, '.',
// '_', '-') from the random source rnd (crypto/rand when nil).
func Generate(name string, rnd io.Reader) (*Private, error) { return identity.Generate(name, rnd) }

// WritePair writes k to prefix+".key" (mode 0600) and its public half to
// prefix+".pub", refusing to replace existing files unless overwrite is set.
func WritePair(prefix string, k *Private, overwrite bool) (keyPath, pubPath string, err error) {
	return identity.WritePair(prefix, k, overwrite)
}

// LoadPrivate reads a private key file written by WritePair or swd keys new.
func LoadPrivate(path string) (*Private, error) { return identity.LoadPrivate(path) }

// LoadPublic reads a public key file (*.pub).
func LoadPublic(path string) (*Public, error) { return identity.LoadPublic(path) }

// LoadKeyring reads every *.pub file of dir.
func LoadKeyring(dir string) (*Keyring, error) { return identity.LoadKeyring(dir) }

// NewKeyring makes a keyring of the given public keys.
func NewKeyring(pubs ...*Public) *Keyring { return identity.NewKeyring(pubs...) }

// ParseKeyID parses the hexadecimal form of a KeyID (KeyID.String).
func ParseKeyID(s string) (KeyID, error) { return identity.ParseKeyID(s) }
