package identity

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

func TestSplitCombine(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		t, n int
	}{
		{"2 of 2, 1 byte", 1, 2, 2},
		{"2 of 3, 32 bytes", 32, 2, 3},
		{"3 of 5, 31 bytes", 31, 3, 5},
		{"3 of 5, 62 bytes", 62, 3, 5},
		{"5 of 7, 100 bytes", 100, 5, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secret := make([]byte, tc.size)
			_, _ = rand.Read(secret)
			secret[0] = 0xff
			shares, err := SplitSecret(secret, tc.t, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			// every window of T consecutive shares recovers the secret
			for lo := 0; lo+tc.t <= tc.n; lo++ {
				got, err := CombineShares(shares[lo : lo+tc.t])
				if err != nil || !bytes.Equal(got, secret) {
					t.Fatalf("shares %d..%d: %v", lo+1, lo+tc.t, err)
				}
			}
			all, err := CombineShares(shares)
			if err != nil || !bytes.Equal(all, secret) {
				t.Fatalf("all shares: %v", err)
			}
			if _, err := CombineShares(shares[:tc.t-1]); err == nil {
				t.Fatal("recovered from fewer than T shares")
			}
			// round trip through JSON
			p, err := ParseShare(MarshalShare(shares[0]))
			if err != nil || p.Index != 1 || p.Set != shares[0].Set {
				t.Fatalf("ParseShare: %v", err)
			}
		})
	}
}

func TestCombineRejects(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	a, _ := SplitSecret(secret, 2, 3)
	b, _ := SplitSecret(secret, 2, 3)
	corrupt := a[1]
	corrupt.Values = append([]string(nil), a[1].Values...)
	corrupt.Values[0] = a[2].Values[0]
	for _, tc := range []struct {
		name   string
		shares []Share
	}{
		{"different splits", []Share{a[0], b[1]}},
		{"duplicate", []Share{a[0], a[0]}},
		{"corrupted, cross-checked", []Share{a[0], corrupt, a[2]}},
		{"too few", []Share{a[0]}},
		{"none", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := CombineShares(tc.shares); err == nil {
				t.Fatalf("accepted, got %d bytes", len(got))
			}
		})
	}
	if _, err := CombineShares([]Share{a[0], b[1]}); !errors.Is(err, ErrSharesInconsistent) {
		t.Fatalf("mixed splits: %v", err)
	}
	for _, tn := range [][2]int{{1, 3}, {4, 3}, {2, 256}} {
		if _, err := SplitSecret(secret, tn[0], tn[1]); err == nil {
			t.Fatalf("SplitSecret T=%d N=%d accepted", tn[0], tn[1])
		}
	}
}
