package identity

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cloudflare/circl/group"
	"github.com/cloudflare/circl/secretsharing"
)

// Shamir T-of-N splitting of a linkage secret among key custodians, with
// github.com/cloudflare/circl/secretsharing over the ristretto255 scalar
// field. The secret is cut into 31-byte pieces (each below the group
// order); piece j is the constant term of its own random polynomial of
// degree T-1, and custodian i receives the values at x = i. Fewer than T
// shares reveal nothing about the secret (information-theoretically); no
// commitment or hash of the secret is stored, so a share holder cannot
// test guesses of a weak secret either.

// MaxSecretSize bounds the secrets that can be split.
const MaxSecretSize = 4096

const pieceSize = 31

// Share is one custodian's share. It is secret material.
type Share struct {
	Version   int      `json:"version"`
	Set       string   `json:"set"` // random id of the split, to refuse mixing splits
	Threshold int      `json:"threshold"`
	Count     int      `json:"count"`
	Index     int      `json:"index"` // 1..Count
	Length    int      `json:"length"`
	Values    []string `json:"values"` // one scalar (hex) per 31-byte piece
}

var ssGroup = group.Ristretto255

// SplitSecret splits secret into n shares, any t of which recover it.
func SplitSecret(secret []byte, t, n int) ([]Share, error) {
	switch {
	case len(secret) == 0 || len(secret) > MaxSecretSize:
		return nil, fmt.Errorf("secret sharing: secret must be 1–%d bytes", MaxSecretSize)
	case t < 2 || t > n || n > 255:
		return nil, fmt.Errorf("secret sharing: need 2 <= T <= N <= 255, got T=%d N=%d", t, n)
	}
	set := make([]byte, 16)
	if _, err := rand.Read(set); err != nil {
		return nil, err
	}
	shares := make([]Share, n)
	for i := range shares {
		shares[i] = Share{Version: 1, Set: hex.EncodeToString(set), Threshold: t, Count: n, Index: i + 1, Length: len(secret)}
	}
	for off := 0; off < len(secret); off += pieceSize {
		s, err := pieceScalar(secret[off:min(off+pieceSize, len(secret))])
		if err != nil {
			return nil, err
		}
		ss := secretsharing.New(rand.Reader, uint(t-1), s)
		for i, sh := range ss.Share(uint(n)) {
			b, err := sh.Value.MarshalBinary()
			if err != nil {
				return nil, err
			}
			shares[i].Values = append(shares[i].Values, hex.EncodeToString(b))
		}
	}
	return shares, nil
}

// pieceScalar encodes up to 31 bytes as a canonical little-endian scalar
// whose top byte (and any padding) is zero.
func pieceScalar(p []byte) (group.Scalar, error) {
	var buf [32]byte
	copy(buf[:], p)
	s := ssGroup.NewScalar()
	if err := s.UnmarshalBinary(buf[:]); err != nil {
		return nil, fmt.Errorf("secret sharing: %w", err)
	}
	return s, nil
}

// ErrSharesInconsistent reports shares that do not belong together or do
// not recombine to a well-formed secret.
var ErrSharesInconsistent = errors.New("secret sharing: shares are inconsistent (different splits, corrupted, or forged)")

// CombineShares recovers the secret from at least Threshold shares of one
// split. With more than Threshold shares, every share is checked by
// recombining from a second subset.
func CombineShares(shares []Share) ([]byte, error) {
	if len(shares) == 0 {
		return nil, errors.New("secret sharing: no shares")
	}
	first := shares[0]
	seen := map[int]bool{}
	for _, s := range shares {
		if s.Version != 1 || s.Set != first.Set || s.Threshold != first.Threshold || s.Count != first.Count ||
			s.Length != first.Length || len(s.Values) != (first.Length+pieceSize-1)/pieceSize ||
			s.Index < 1 || s.Index > s.Count || first.Length < 1 || first.Length > MaxSecretSize {
			return nil, ErrSharesInconsistent
		}
		if seen[s.Index] {
			return nil, fmt.Errorf("secret sharing: share %d given twice", s.Index)
		}
		seen[s.Index] = true
	}
	t := first.Threshold
	if len(shares) < t {
		return nil, fmt.Errorf("secret sharing: %d shares given, %d needed", len(shares), t)
	}
	secret, err := combine(shares[:t])
	if err != nil {
		return nil, err
	}
	if len(shares) > t { // cross-check with the other shares
		alt, err := combine(shares[len(shares)-t:])
		if err != nil || string(alt) != string(secret) {
			return nil, ErrSharesInconsistent
		}
	}
	return secret, nil
}

func combine(shares []Share) ([]byte, error) {
	first := shares[0]
	out := make([]byte, 0, first.Length)
	for j := range first.Values {
		ss := make([]secretsharing.Share, len(shares))
		for i, s := range shares {
			v, err := hexScalar(s.Values[j])
			if err != nil {
				return nil, ErrSharesInconsistent
			}
			ss[i] = secretsharing.Share{ID: ssGroup.NewScalar().SetUint64(uint64(s.Index)), Value: v}
		}
		rec, err := secretsharing.Recover(uint(first.Threshold-1), ss)
		if err != nil {
			return nil, ErrSharesInconsistent
		}
		b, err := rec.MarshalBinary()
		if err != nil {
			return nil, err
		}
		n := min(pieceSize, first.Length-len(out))
		for _, pad := range b[n:] {
			if pad != 0 {
				return nil, ErrSharesInconsistent
			}
		}
		out = append(out, b[:n]...)
	}
	return out, nil
}

func hexScalar(s string) (group.Scalar, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, err
	}
	v := ssGroup.NewScalar()
	if err := v.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return v, nil
}

// MarshalShare encodes a share as JSON.
func MarshalShare(s Share) []byte {
	b, _ := json.MarshalIndent(s, "", "  ")
	return append(b, '\n')
}

// ParseShare decodes a share.
func ParseShare(data []byte) (Share, error) {
	var s Share
	if err := json.Unmarshal(data, &s); err != nil || s.Version != 1 {
		return s, errors.New("not a swd secret share")
	}
	return s, nil
}
