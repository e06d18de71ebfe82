package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSealedExchange runs the exchange of the brief: partners encode and
// seal to the linkage unit, which opens, checks the signers and links. It
// fails closed on a missing key, a flipped byte and an impersonating signer.
func TestSealedExchange(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	mustRun := func(args ...string) {
		t.Helper()
		if code, _, stderr := runCLI(t, append([]string{"-q"}, args...)...); code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	mustRun("synth", "--households", "60", "--partners", "caritas,acli", "--seed", "3", "--out", p("ex"))
	mustRun("keygen", "--out", p("secret.key"))
	if err := os.Mkdir(p("trust"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"linker", "caritas", "acli"} {
		mustRun("keys", "new", "--out", p(id))
		if id != "linker" {
			b, err := os.ReadFile(p(id + ".pub"))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "trust", id+".pub"), string(b), 0o644)
		}
	}
	schema := repoPath(t, "docs/examples/synth/schema.yaml")
	encode := func(partner, signer, out string) {
		t.Helper()
		mustRun("encode", "--schema", schema, "--secret", p("secret.key"), "--partner", partner,
			"--in", p("ex/"+partner+".csv"), "--out", out, "--seal-to", p("linker.pub"), "--sign-with", p(signer+".key"))
	}
	encode("caritas", "caritas", p("caritas.swd"))
	encode("acli", "acli", p("acli.swd"))
	if entries, _ := filepath.Glob(p(".*unsealed*")); len(entries) > 0 {
		t.Fatalf("unsealed files left behind: %v", entries)
	}

	link := func(inputs ...string) (int, string) {
		args := []string{"-q", "link", "--u-samples", "20000", "--key", p("linker.key"), "--trust", p("trust"), "--out", p("links.parquet")}
		code, _, stderr := runCLI(t, append(args, inputs...)...)
		return code, stderr
	}
	if code, stderr := link(p("caritas.swd"), p("acli.swd")); code != ExitOK {
		t.Fatalf("link of sealed inputs: exit %d: %s", code, stderr)
	}
	// The linkage unit's key opens the sealed inputs and signs the ledger.
	if code, _, stderr := runCLI(t, "-q", "budget", "init", "--ledger", p("ledger.jsonl"), "--key", p("linker.key")); code != ExitOK {
		t.Fatalf("budget init: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "-q", "publish", "--district", exampleDistrict(t), "--key", p("linker.key"), "--trust", p("trust"), "--links", p("links.parquet"),
		"--epsilon", "1", "--ledger", p("ledger.jsonl"), "--out", p("release"), p("caritas.swd"), p("acli.swd")); code != ExitOK {
		t.Fatalf("publish from sealed inputs: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "-q", "link", "--out", p("l2.parquet"), p("caritas.swd")); code != ExitUsage || !strings.Contains(stderr, "--key") {
		t.Fatalf("sealed input without --key: exit %d: %s", code, stderr)
	}

	sealed, err := os.ReadFile(p("caritas.swd"))
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int{10, len(sealed) / 2, len(sealed) - 1} {
		bad := append([]byte(nil), sealed...)
		bad[off] ^= 0x01
		writeFile(t, p("bad.swd"), string(bad), 0o644)
		if code, stderr := link(p("bad.swd"), p("acli.swd")); code != ExitIntegrity {
			t.Fatalf("flipped byte at %d: exit %d: %s", off, code, stderr)
		}
	}
	encode("caritas", "acli", p("fake.swd")) // acli signs a file claiming to be caritas'
	if code, stderr := link(p("fake.swd"), p("acli.swd")); code != ExitIntegrity || !strings.Contains(stderr, "signed by") {
		t.Fatalf("impersonation: exit %d: %s", code, stderr)
	}
}
