package envelope

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
)

var (
	keysOnce                      sync.Once
	partner, linker, stranger, mx *identity.Private
)

func keys(t testing.TB) (p, l, s *identity.Private) {
	t.Helper()
	keysOnce.Do(func() {
		gen := func(n string) *identity.Private {
			k, err := identity.Generate(n, nil)
			if err != nil {
				panic(err)
			}
			return k
		}
		partner, linker, stranger, mx = gen("caritas"), gen("linker"), gen("intruder"), gen("x")
	})
	return partner, linker, stranger
}

func payload(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sealBytes(t testing.TB, pt []byte, chunk uint32) []byte {
	t.Helper()
	p, l, _ := keys(t)
	var buf bytes.Buffer
	meta := Header{ContentType: ContentEncoded, FileName: "caritas.swd.parquet", Partner: "caritas"}
	if err := seal(&buf, bytes.NewReader(pt), l.Public, p, meta, chunk); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func openBytes(env []byte, me *identity.Private, trust TrustStore) ([]byte, Header, error) {
	var out bytes.Buffer
	h, err := Open(&out, bytes.NewReader(env), me, trust)
	return out.Bytes(), h, err
}

func TestRoundTrip(t *testing.T) {
	p, l, _ := keys(t)
	trust := identity.NewKeyring(p.Public)
	for _, tc := range []struct {
		name  string
		size  int
		chunk uint32
	}{
		{"empty", 0, 64},
		{"one byte", 1, 64},
		{"one short chunk", 63, 64},
		{"exactly one chunk", 64, 64},
		{"exact multiple", 64 * 5, 64},
		{"multiple plus one", 64*5 + 1, 64},
		{"default chunk", 3*DefaultChunkSize + 17, DefaultChunkSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pt := payload(tc.size)
			env := sealBytes(t, pt, tc.chunk)
			got, h, err := openBytes(env, l, trust)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, pt) {
				t.Fatal("payload differs")
			}
			if h.SenderName != "caritas" || h.Partner != "caritas" || h.ContentType != ContentEncoded ||
				h.FileName != "caritas.swd.parquet" || h.Sender != p.ID().String() || h.Recipient != l.ID().String() || h.Created.IsZero() {
				t.Fatalf("header %+v", h)
			}
		})
	}
}

// regions lists [start, end) byte ranges of an envelope sealed with chunk
// size c over n bytes, by name, from the format's definition.
func regions(env []byte) map[string][2]int {
	hlen := int(binary.BigEndian.Uint32(env[12:16]))
	rs := map[string][2]int{"preamble": {0, 16}, "header": {16, 16 + hlen}}
	off := 16 + hlen
	rs["enc length"] = [2]int{off, off + 2}
	off += 2
	elen := int(binary.BigEndian.Uint16(env[off-2 : off]))
	rs["enc"] = [2]int{off, off + elen}
	off += elen
	for i := 0; ; i++ {
		flag, n := env[off], int(binary.BigEndian.Uint32(env[off+1:off+5]))
		rs["record header "+string(rune('0'+i))] = [2]int{off, off + 5}
		rs["chunk "+string(rune('0'+i))] = [2]int{off + 5, off + 5 + n - 16}
		rs["tag "+string(rune('0'+i))] = [2]int{off + 5 + n - 16, off + 5 + n}
		off += 5 + n
		if flag == flagLast {
			break
		}
	}
	rs["signature length"] = [2]int{off, off + 2}
	rs["signature"] = [2]int{off + 2, len(env)}
	rs["last byte"] = [2]int{len(env) - 1, len(env)}
	return rs
}

func TestTamperEveryRegion(t *testing.T) {
	p, l, _ := keys(t)
	trust := identity.NewKeyring(p.Public)
	env := sealBytes(t, payload(64*3+20), 64) // 4 chunks
	rs := regions(env)
	if len(rs) != 4+4*3+3 {
		t.Fatalf("unexpected region count %d", len(rs))
	}
	for name, r := range rs {
		t.Run(name, func(t *testing.T) {
			stride := 1
			if r[1]-r[0] > 64 && testing.Short() {
				stride = 61
			} else if r[1]-r[0] > 64 {
				stride = 23
			}
			positions := []int{r[0], r[1] - 1}
			for i := r[0]; i < r[1]; i += stride {
				positions = append(positions, i)
			}
			for _, i := range positions {
				for _, bit := range []byte{0x01, 0x80} {
					bad := bytes.Clone(env)
					bad[i] ^= bit
					_, _, err := openBytes(bad, l, trust)
					if !errors.Is(err, base.ErrIntegrity) {
						t.Fatalf("flip %#x at %d: err = %v", bit, i, err)
					}
				}
			}
		})
	}
}

func TestTruncated(t *testing.T) {
	p, l, _ := keys(t)
	trust := identity.NewKeyring(p.Public)
	env := sealBytes(t, payload(64*3+20), 64)
	cuts := []int{0, 1, 5, 6, 15, 16, 17}
	for _, r := range regions(env) {
		cuts = append(cuts, r[0], r[1]-1)
	}
	for i := 0; i < len(env); i += 23 {
		cuts = append(cuts, i)
	}
	for _, n := range cuts {
		if n >= len(env) {
			continue
		}
		_, _, err := openBytes(env[:n], l, trust)
		if !errors.Is(err, base.ErrIntegrity) {
			t.Fatalf("truncated to %d of %d bytes: err = %v", n, len(env), err)
		}
	}
}

func TestStructuralAttacks(t *testing.T) {
	p, l, s := keys(t)
	trust := identity.NewKeyring(p.Public)
	env := sealBytes(t, payload(64*3+20), 64)
	rs := regions(env)
	rec := func(i int) []byte { // whole record i
		h := rs["record header "+string(rune('0'+i))]
		tag := rs["tag "+string(rune('0'+i))]
		return env[h[0]:tag[1]]
	}
	prefix := env[:rs["record header 0"][0]]
	tail := env[rs["signature length"][0]:]
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	for _, tc := range []struct {
		name string
		env  []byte
		me   *identity.Private
		tr   TrustStore
		msg  string
	}{
		{"wrong recipient", env, s, identity.NewKeyring(p.Public), "wrong recipient"},
		{"sender key as recipient", env, p, identity.NewKeyring(p.Public), "wrong recipient"},
		{"unknown signer", env, l, identity.NewKeyring(s.Public), "unknown signer"},
		{"empty trust store", env, l, identity.NewKeyring(), "unknown signer"},
		{"swapped chunks", join(prefix, rec(1), rec(0), rec(2), rec(3), tail), l, trust, "chunk 0"},
		{"dropped chunk", join(prefix, rec(0), rec(2), rec(3), tail), l, trust, "chunk 1"},
		{"duplicated chunk", join(prefix, rec(0), rec(0), rec(1), rec(2), rec(3), tail), l, trust, "chunk 1"},
		{"dropped last chunk", join(prefix, rec(0), rec(1), rec(2), tail), l, trust, ""},
		{"appended garbage", join(env, []byte("x")), l, trust, "after the signature"},
		{"appended envelope", join(env, env), l, trust, "after the signature"},
		{"empty file", nil, l, trust, "truncated"},
		{"plain text", []byte(strings.Repeat("not an envelope\n", 10)), l, trust, "not a swd envelope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := openBytes(tc.env, tc.me, tc.tr)
			if !errors.Is(err, base.ErrIntegrity) {
				t.Fatalf("err = %v", err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}

// TestResignedByOtherTrustedPartner: a trusted partner who intercepts a
// file cannot claim it as its own, neither by replacing the signature nor
// by also rewriting the sender in the header.
func TestResignedByOtherTrustedPartner(t *testing.T) {
	p, l, _ := keys(t)
	env := sealBytes(t, payload(100), 64)
	trust := identity.NewKeyring(p.Public, mx.Public)
	rs := regions(env)
	body := env[:rs["signature length"][0]]
	digest := sha256.Sum256(body)
	sig, err := mx.Sign(sigContext, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	resigned := append(bytes.Clone(env[:rs["signature"][0]]), sig...)
	if _, _, err := openBytes(resigned, l, trust); !errors.Is(err, base.ErrIntegrity) {
		t.Fatalf("re-signed: %v", err)
	}
	hdr := string(env[rs["header"][0]:rs["header"][1]])
	hdr2 := strings.Replace(hdr, p.ID().String(), mx.ID().String(), 1)
	relabelled := bytes.Clone(env[:rs["signature length"][0]])
	copy(relabelled[rs["header"][0]:], hdr2)
	digest = sha256.Sum256(relabelled)
	sig, _ = mx.Sign(sigContext, digest[:])
	relabelled = binary.BigEndian.AppendUint16(relabelled, uint16(len(sig)))
	relabelled = append(relabelled, sig...)
	_, _, err = openBytes(relabelled, l, trust)
	if !errors.Is(err, base.ErrIntegrity) || !strings.Contains(err.Error(), "chunk 0") {
		t.Fatalf("relabelled: %v", err)
	}
}

func TestFiles(t *testing.T) {
	p, l, s := keys(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "caritas.swd.parquet")
	pt := payload(200_000)
	if err := os.WriteFile(src, pt, 0o600); err != nil {
		t.Fatal(err)
	}
	sealed := filepath.Join(dir, "caritas.swd.parquet.swdenv")
	if err := SealFile(sealed, src, l.Public, p, Header{ContentType: ContentEncoded, Partner: "caritas"}); err != nil {
		t.Fatal(err)
	}
	if ok, err := IsSealed(sealed); !ok || err != nil {
		t.Fatalf("IsSealed(sealed) = %v, %v", ok, err)
	}
	if ok, _ := IsSealed(src); ok {
		t.Fatal("IsSealed(plain) = true")
	}
	trust := identity.NewKeyring(p.Public)
	dst := filepath.Join(dir, "opened.parquet")
	h, err := OpenFile(dst, sealed, l, trust)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dst)
	if !bytes.Equal(got, pt) || h.FileName != "caritas.swd.parquet" {
		t.Fatal("file round trip failed")
	}
	if st, _ := os.Stat(dst); st.Mode().Perm() != 0o600 {
		t.Fatalf("opened file mode %v", st.Mode().Perm())
	}
	// A failed open leaves nothing behind, not even a partial file.
	dst2 := filepath.Join(dir, "wrong.parquet")
	if _, err := OpenFile(dst2, sealed, s, trust); !errors.Is(err, base.ErrIntegrity) {
		t.Fatalf("wrong key: %v", err)
	}
	raw, _ := os.ReadFile(sealed)
	raw[len(raw)-1] ^= 1
	bad := filepath.Join(dir, "bad.swdenv")
	_ = os.WriteFile(bad, raw, 0o644)
	if _, err := OpenFile(dst2, bad, l, trust); !errors.Is(err, base.ErrIntegrity) {
		t.Fatalf("bad signature: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "wrong") || strings.Contains(e.Name(), ".tmp-") {
			t.Fatalf("left behind %s", e.Name())
		}
	}
}

// TestStreaming seals and opens through pipes without holding the payload:
// the payload is generated, and only hashes are compared.
func TestStreaming(t *testing.T) {
	p, l, _ := keys(t)
	size := int64(64 << 20)
	if testing.Short() {
		size = 4 << 20
	}
	gen := func() io.Reader { return io.LimitReader(rand.NewChaCha8([32]byte{1}), size) }
	want := sha256.New()
	_, _ = io.Copy(want, gen())

	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(Seal(pw, gen(), l.Public, p, Header{ContentType: ContentEncoded}))
	}()
	got := sha256.New()
	if _, err := Open(got, pr, l, identity.NewKeyring(p.Public)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatal("streamed payload differs")
	}
}

func BenchmarkSealOpen(b *testing.B) {
	p, l, _ := keys(b)
	pt := payload(8 << 20)
	trust := identity.NewKeyring(p.Public)
	b.SetBytes(int64(len(pt)))
	b.ReportAllocs()
	var env bytes.Buffer
	for b.Loop() {
		env.Reset()
		if err := Seal(&env, bytes.NewReader(pt), l.Public, p, Header{}); err != nil {
			b.Fatal(err)
		}
		if _, err := Open(io.Discard, &env, l, trust); err != nil {
			b.Fatal(err)
		}
	}
}

func TestOpenTempAndCheckSender(t *testing.T) {
	p, l, s := keys(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "in.swdenv")
	if err := os.WriteFile(src, sealBytes(t, payload(1000), 64), 0o644); err != nil {
		t.Fatal(err)
	}
	path, h, err := OpenTemp(src, dir, l, identity.NewKeyring(p.Public))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if st, _ := os.Stat(path); !bytes.Equal(got, payload(1000)) || st.Mode().Perm() != 0o600 {
		t.Fatal("OpenTemp: wrong content or mode")
	}
	for _, tc := range []struct {
		partner string
		ok      bool
	}{{"caritas", true}, {"acli", false}} {
		if err := h.CheckSender(tc.partner); (err == nil) != tc.ok || (err != nil && !errors.Is(err, base.ErrIntegrity)) {
			t.Fatalf("CheckSender(%q) = %v", tc.partner, err)
		}
	}
	h.Partner = "acli"
	if err := h.CheckSender("caritas"); !errors.Is(err, base.ErrIntegrity) {
		t.Fatalf("declared for another partner: %v", err)
	}
	before, _ := os.ReadDir(dir)
	if _, _, err := OpenTemp(src, dir, s, identity.NewKeyring(p.Public)); !errors.Is(err, base.ErrIntegrity) {
		t.Fatalf("wrong key: %v", err)
	}
	after, _ := os.ReadDir(dir)
	if len(after) != len(before) {
		t.Fatal("a failed OpenTemp left a file behind")
	}
}
