package identity

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
)

func mustGenerate(t testing.TB, name string) *Private {
	t.Helper()
	k, err := Generate(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestGenerateNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"caritas", true}, {"ulss6.padova", true}, {"a_b-c", true},
		{"", false}, {"-x", false}, {"with space", false}, {strings.Repeat("a", 65), false}, {"è", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Generate(tc.name, nil)
			if (err == nil) != tc.ok {
				t.Fatalf("Generate(%q) err=%v, want ok=%v", tc.name, err, tc.ok)
			}
		})
	}
}

func TestPEMRoundTrip(t *testing.T) {
	k := mustGenerate(t, "caritas")
	pub, err := ParsePublic(k.MarshalPublic())
	if err != nil {
		t.Fatal(err)
	}
	if pub.ID() != k.ID() || pub.Name != "caritas" || !bytes.Equal(pub.Bytes(), k.Bytes()) {
		t.Fatal("public key changed in the round trip")
	}
	priv, err := ParsePrivate(k.MarshalPrivate())
	if err != nil {
		t.Fatal(err)
	}
	if priv.ID() != k.ID() || !priv.EdPriv.Equal(k.EdPriv) || !priv.KEMPriv.Equal(k.KEMPriv) || !priv.MLDSAPriv.Equal(k.MLDSAPriv) {
		t.Fatal("private key changed in the round trip")
	}
	id, err := ParseKeyID(k.ID().String())
	if err != nil || id != k.ID() {
		t.Fatalf("ParseKeyID(%s) = %v, %v", k.ID(), id, err)
	}
}

func TestParseRejects(t *testing.T) {
	k := mustGenerate(t, "acli")
	other := mustGenerate(t, "acli")
	pub := string(k.MarshalPublic())
	for _, tc := range []struct {
		name, data string
	}{
		{"empty", ""},
		{"private as public", string(k.MarshalPrivate())},
		{"wrong key id", strings.Replace(pub, k.ID().String(), other.ID().String(), 1)},
		{"renamed", strings.Replace(pub, "Name: acli", "Name: cgil", 1)},
		{"version", strings.Replace(pub, "Version: 1", "Version: 2", 1)},
		{"trailing", pub + "junk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParsePublic([]byte(tc.data)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestSignVerify(t *testing.T) {
	k := mustGenerate(t, "caritas")
	other := mustGenerate(t, "caritas")
	msg := []byte("transcript hash")
	sig, err := k.Sign("ctx", msg)
	if err != nil {
		t.Fatal(err)
	}
	if !k.Verify("ctx", msg, sig) {
		t.Fatal("valid signature rejected")
	}
	edOnly := bytes.Clone(sig)
	edOnly[ed25519.SignatureSize+10] ^= 1
	mlOnly := bytes.Clone(sig)
	mlOnly[3] ^= 1
	for _, tc := range []struct {
		name     string
		pub      *Public
		ctx      string
		msg, sig []byte
	}{
		{"other key", other.Public, "ctx", msg, sig},
		{"other context", k.Public, "ctx2", msg, sig},
		{"other message", k.Public, "ctx", []byte("transcript hasH"), sig},
		{"ML-DSA half broken", k.Public, "ctx", msg, edOnly},
		{"Ed25519 half broken", k.Public, "ctx", msg, mlOnly},
		{"short", k.Public, "ctx", msg, sig[:100]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.pub.Verify(tc.ctx, tc.msg, tc.sig) {
				t.Fatal("accepted")
			}
		})
	}
}

func TestFilesAndKeyring(t *testing.T) {
	dir := t.TempDir()
	k := mustGenerate(t, "caritas")
	keyPath, pubPath, err := WritePair(filepath.Join(dir, "caritas"), k, false)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(keyPath); st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v", st.Mode().Perm())
	}
	if _, _, err := WritePair(filepath.Join(dir, "caritas"), k, false); !errors.Is(err, base.ErrUsage) {
		t.Fatalf("overwrite: %v", err)
	}
	priv, err := LoadPrivate(keyPath)
	if err != nil || priv.ID() != k.ID() {
		t.Fatalf("LoadPrivate: %v", err)
	}
	if err := os.Chmod(keyPath, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPrivate(keyPath); !errors.Is(err, base.ErrInsecure) {
		t.Fatalf("0644 key: %v", err)
	}
	ring, err := LoadKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := ring.Lookup(k.ID()); !ok || p.Name != "caritas" || ring.Len() != 1 {
		t.Fatal("keyring lookup failed")
	}
	_ = pubPath
	if err := os.WriteFile(filepath.Join(dir, "bad.pub"), []byte("nope"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyring(dir); !errors.Is(err, base.ErrInvalidInput) || !strings.Contains(err.Error(), "bad.pub") {
		t.Fatalf("bad .pub: %v", err)
	}
}

func TestErrorsHoldNoKeyMaterial(t *testing.T) {
	k := mustGenerate(t, "caritas")
	data := k.MarshalPrivate()
	bad := bytes.Replace(data, []byte("Version: 1"), []byte("Version: 9"), 1)
	_, err := ParsePrivate(bad)
	if err == nil {
		t.Fatal("accepted")
	}
	lines := strings.Split(string(data), "\n")
	for _, l := range lines {
		if len(l) > 20 && !strings.Contains(l, ":") && strings.Contains(err.Error(), l) {
			t.Fatal("error contains key material")
		}
	}
}
