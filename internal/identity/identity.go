package identity

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/cloudflare/circl/kem"
	"github.com/cloudflare/circl/kem/xwing"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
)

// Version is the version of the key format and of the key id derivation.
const Version = 1

// Sizes of the encoded parts.
const (
	KEMPublicKeySize = xwing.PublicKeySize                                                 // 1216
	PublicKeySize    = xwing.PublicKeySize + ed25519.PublicKeySize + mldsa65.PublicKeySize // 3200
	SeedsSize        = 3 * 32                                                              // X-Wing, Ed25519, ML-DSA-65 seeds
	SignatureSize    = ed25519.SignatureSize + mldsa65.SignatureSize                       // 3373
	KeyIDSize        = 16
)

// KeyID identifies a public key: the first 16 bytes of SHA-256 over
// "swd-identity-v1" || 0x00 || name || 0x00 || the public key bytes.
type KeyID [KeyIDSize]byte

// String is the hexadecimal key id, grouped by 4 bytes for reading aloud.
func (id KeyID) String() string {
	h := hex.EncodeToString(id[:])
	var b strings.Builder
	for i := 0; i < len(h); i += 8 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+8])
	}
	return b.String()
}

// ParseKeyID parses the String form (with or without the colons).
func ParseKeyID(s string) (KeyID, error) {
	var id KeyID
	raw, err := hex.DecodeString(strings.ReplaceAll(s, ":", ""))
	if err != nil || len(raw) != KeyIDSize {
		return id, fmt.Errorf("identity: malformed key id %q", s)
	}
	copy(id[:], raw)
	return id, nil
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidName reports whether name can name an identity: 1–64 letters, digits,
// '.', '_' or '-', starting with a letter or digit.
func ValidName(name string) bool { return nameRE.MatchString(name) }

// Public is the public half of an identity.
type Public struct {
	Name  string
	KEM   *xwing.PublicKey
	Ed    ed25519.PublicKey
	MLDSA *mldsa65.PublicKey

	id KeyID
}

// ID is the key id.
func (p *Public) ID() KeyID { return p.id }

// KEMKey is the X-Wing public key as a kem.PublicKey, for HPKE.
func (p *Public) KEMKey() kem.PublicKey { return p.KEM }

// Bytes is the binary public key: X-Wing (1216) || Ed25519 (32) || ML-DSA-65 (1952).
func (p *Public) Bytes() []byte {
	out := make([]byte, 0, PublicKeySize)
	k, _ := p.KEM.MarshalBinary()
	out = append(out, k...)
	out = append(out, p.Ed...)
	return append(out, p.MLDSA.Bytes()...)
}

func computeID(name string, pub []byte) KeyID {
	h := sha256.New()
	h.Write([]byte("swd-identity-v1\x00"))
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write(pub)
	var id KeyID
	copy(id[:], h.Sum(nil))
	return id
}

// Private is a complete identity; it embeds its public half.
type Private struct {
	*Public
	KEMPriv   *xwing.PrivateKey
	EdPriv    ed25519.PrivateKey
	MLDSAPriv *mldsa65.PrivateKey

	seeds [SeedsSize]byte
}

// KEMPrivateKey is the X-Wing private key as a kem.PrivateKey, for HPKE.
func (k *Private) KEMPrivateKey() kem.PrivateKey { return k.KEMPriv }

// Generate creates a new identity named name from the random source rnd
// (crypto/rand when nil).
func Generate(name string, rnd io.Reader) (*Private, error) {
	if !ValidName(name) {
		return nil, fmt.Errorf("identity: invalid name %q (1-64 letters, digits, '.', '_', '-')", name)
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	var seeds [SeedsSize]byte
	if _, err := io.ReadFull(rnd, seeds[:]); err != nil {
		return nil, fmt.Errorf("identity: reading randomness: %w", err)
	}
	return fromSeeds(name, seeds), nil
}

func fromSeeds(name string, seeds [SeedsSize]byte) *Private {
	kemSK, kemPK := xwing.DeriveKeyPair(seeds[0:32])
	edSK := ed25519.NewKeyFromSeed(seeds[32:64])
	var ms [mldsa65.SeedSize]byte
	copy(ms[:], seeds[64:96])
	mlPK, mlSK := mldsa65.NewKeyFromSeed(&ms)
	pub := &Public{Name: name, KEM: kemPK, Ed: edSK.Public().(ed25519.PublicKey), MLDSA: mlPK}
	pub.id = computeID(name, pub.Bytes())
	return &Private{Public: pub, KEMPriv: kemSK, EdPriv: edSK, MLDSAPriv: mlSK, seeds: seeds}
}

// parsePublic decodes the binary public key.
func parsePublic(name string, b []byte) (*Public, error) {
	if len(b) != PublicKeySize {
		return nil, fmt.Errorf("public key is %d bytes, want %d", len(b), PublicKeySize)
	}
	k, err := xwing.Scheme().UnmarshalBinaryPublicKey(b[:xwing.PublicKeySize])
	if err != nil {
		return nil, fmt.Errorf("X-Wing public key: %w", err)
	}
	off := xwing.PublicKeySize
	ed := ed25519.PublicKey(bytes.Clone(b[off : off+ed25519.PublicKeySize]))
	off += ed25519.PublicKeySize
	ml := new(mldsa65.PublicKey)
	if err := ml.UnmarshalBinary(b[off:]); err != nil {
		return nil, fmt.Errorf("ML-DSA-65 public key: %w", err)
	}
	p := &Public{Name: name, KEM: k.(*xwing.PublicKey), Ed: ed, MLDSA: ml}
	p.id = computeID(name, b)
	return p, nil
}

// Sign signs msg under the domain-separation string context (at most 255
// bytes): Ed25519 over context || 0x00 || msg, then ML-DSA-65 (hedged) over
// msg with context as its context string. The signature is the two
// concatenated (SignatureSize bytes).
func (k *Private) Sign(context string, msg []byte) ([]byte, error) {
	if len(context) > 255 {
		return nil, errors.New("identity: signature context longer than 255 bytes")
	}
	sig := make([]byte, SignatureSize)
	copy(sig, ed25519.Sign(k.EdPriv, edMessage(context, msg)))
	if err := mldsa65.SignTo(k.MLDSAPriv, msg, []byte(context), true, sig[ed25519.SignatureSize:]); err != nil {
		return nil, fmt.Errorf("identity: signing: %w", err)
	}
	return sig, nil
}

// Verify reports whether sig is a valid hybrid signature of msg under
// context: both the Ed25519 and the ML-DSA-65 halves must verify.
func (p *Public) Verify(context string, msg, sig []byte) bool {
	if len(sig) != SignatureSize || len(context) > 255 {
		return false
	}
	okEd := ed25519.Verify(p.Ed, edMessage(context, msg), sig[:ed25519.SignatureSize])
	okML := mldsa65.Verify(p.MLDSA, msg, []byte(context), sig[ed25519.SignatureSize:])
	return okEd && okML
}

func edMessage(context string, msg []byte) []byte {
	m := make([]byte, 0, len(context)+1+len(msg))
	m = append(m, context...)
	m = append(m, 0)
	return append(m, msg...)
}
