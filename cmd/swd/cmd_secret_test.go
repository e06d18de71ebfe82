package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newIdentities creates NAME.key/.pub in dir for each name and returns dir.
func newIdentities(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		if code, _, errs := runCLI(t, "-q", "keys", "new", "--out", filepath.Join(dir, n)); code != ExitOK {
			t.Fatalf("keys new %s: %s", n, errs)
		}
	}
}

// trustDir makes a directory holding copies of the named .pub files.
func trustDir(t *testing.T, dir string, names ...string) string {
	t.Helper()
	td, err := os.MkdirTemp(dir, "trust")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n+".pub"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(td, n+".pub"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return td
}

func TestSecretShareOpen(t *testing.T) {
	dir := t.TempDir()
	newIdentities(t, dir, "comune", "caritas", "acli", "mallory")
	p := func(n string) string { return filepath.Join(dir, n) }
	secret := p("linkage.secret")
	if code, _, errs := runCLI(t, "-q", "keygen", "--out", secret); code != ExitOK {
		t.Fatal(errs)
	}
	want, _ := os.ReadFile(secret)
	out := p("outbox")
	code, stdout, errs := runCLI(t, "-q", "secret", "share", "--secret", secret, "--sign-with", p("comune.key"),
		"--to", p("caritas.pub"), "--to", p("acli.pub"), "--out", out)
	if code != ExitOK || strings.Count(stdout, "\n") != 2 {
		t.Fatalf("share: %d %s %s", code, stdout, errs)
	}
	sealed, _ := os.ReadFile(filepath.Join(out, "caritas.secret.swdenv"))
	if bytes.Contains(sealed, bytes.TrimSpace(want)) {
		t.Fatal("the secret is visible in the envelope")
	}
	trust := trustDir(t, dir, "comune")
	for _, n := range []string{"caritas", "acli"} {
		got := p(n + ".opened")
		code, _, errs := runCLI(t, "-q", "secret", "open", "--key", p(n+".key"), "--trust", trust,
			"--in", filepath.Join(out, n+".secret.swdenv"), "--out", got)
		if code != ExitOK {
			t.Fatalf("open %s: %s", n, errs)
		}
		b, _ := os.ReadFile(got)
		if st, _ := os.Stat(got); !bytes.Equal(b, want) || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: wrong secret or mode", n)
		}
	}
	tampered := p("tampered.swdenv")
	bad := bytes.Clone(sealed)
	bad[len(bad)/2] ^= 1
	_ = os.WriteFile(tampered, bad, 0o644)
	for _, tc := range []struct {
		name       string
		key, trust string
		in         string
		code       int
		msg        string
	}{
		{"wrong recipient", p("acli.key"), trust, filepath.Join(out, "caritas.secret.swdenv"), ExitIntegrity, "wrong recipient"},
		{"unknown signer", p("caritas.key"), trustDir(t, dir, "mallory"), filepath.Join(out, "caritas.secret.swdenv"), ExitIntegrity, "unknown signer"},
		{"tampered", p("caritas.key"), trust, tampered, ExitIntegrity, "modified"},
		{"truncated", p("caritas.key"), trust, truncated(t, dir, sealed), ExitIntegrity, "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := p("never-" + strings.ReplaceAll(tc.name, " ", "-"))
			code, _, errs := runCLI(t, "secret", "open", "--key", tc.key, "--trust", tc.trust, "--in", tc.in, "--out", dst)
			if code != tc.code || !strings.Contains(errs, tc.msg) {
				t.Fatalf("code %d (%s), want %d %q", code, errs, tc.code, tc.msg)
			}
			if _, err := os.Stat(dst); err == nil {
				t.Fatal("output written despite the failure")
			}
		})
	}
}

func truncated(t *testing.T, dir string, env []byte) string {
	t.Helper()
	path := filepath.Join(dir, "truncated.swdenv")
	if err := os.WriteFile(path, env[:len(env)-100], 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSecretShamir(t *testing.T) {
	dir := t.TempDir()
	newIdentities(t, dir, "comune", "k1", "k2", "k3")
	p := func(n string) string { return filepath.Join(dir, n) }
	secret := p("linkage.secret")
	runCLI(t, "-q", "keygen", "--out", secret)
	want, _ := os.ReadFile(secret)
	out := p("shares")
	code, _, errs := runCLI(t, "-q", "secret", "share", "--secret", secret, "--sign-with", p("comune.key"), "--shamir", "2",
		"--to", p("k1.pub"), "--to", p("k2.pub"), "--to", p("k3.pub"), "--out", out)
	if code != ExitOK {
		t.Fatal(errs)
	}
	trust := trustDir(t, dir, "comune")
	for _, k := range []string{"k1", "k2", "k3"} {
		code, stdout, errs := runCLI(t, "secret", "open", "--key", p(k+".key"), "--trust", trust,
			"--in", filepath.Join(out, k+".share.swdenv"), "--out", p(k+".share"))
		if code != ExitOK || !strings.Contains(stdout, "of 3 (any 2") {
			t.Fatalf("open share %s: %s %s", k, stdout, errs)
		}
		b, _ := os.ReadFile(p(k + ".share"))
		if bytes.Contains(b, bytes.TrimSpace(want)) {
			t.Fatal("a share contains the secret")
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"k1+k2", []string{"--in", p("k1.share"), "--in", p("k2.share")}, ExitOK},
		{"k3+k1", []string{"--in", p("k3.share"), "--in", p("k1.share")}, ExitOK},
		{"all three", []string{"--in", p("k1.share"), "--in", p("k2.share"), "--in", p("k3.share")}, ExitOK},
		{"k1 opened + k2 still sealed", []string{"--in", p("k1.share"), "--in", filepath.Join(out, "k2.share.swdenv"),
			"--key", p("k2.key"), "--trust", trust}, ExitOK},
		{"same share twice", []string{"--in", p("k1.share"), "--in", p("k1.share")}, ExitUsage},
		{"one share", []string{"--in", p("k1.share")}, ExitUsage},
		{"sealed without key", []string{"--in", p("k1.share"), "--in", filepath.Join(out, "k2.share.swdenv")}, ExitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := p("recovered-" + strings.ReplaceAll(tc.name, " ", "_"))
			code, _, errs := runCLI(t, append([]string{"-q", "secret", "combine", "--out", dst}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("code %d, want %d: %s", code, tc.code, errs)
			}
			if tc.code == ExitOK {
				got, _ := os.ReadFile(dst)
				if !bytes.Equal(got, want) {
					t.Fatal("recovered a different secret")
				}
			}
			if strings.Contains(errs, string(bytes.TrimSpace(want))) {
				t.Fatal("error output contains the secret")
			}
		})
	}
}
