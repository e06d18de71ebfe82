package dp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
)

func TestLedgerLifecycle(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.ledger")
	if err := InitLedger(path, "padova-2026", Budget{Epsilon: 2, Delta: 1e-6}, nil); err != nil {
		t.Fatal(err)
	}
	if err := InitLedger(path, "again", Budget{Epsilon: 9}, nil); !errors.Is(err, base.ErrUsage) {
		t.Fatalf("re-init must be refused: %v", err)
	}
	l, err := OpenLedger(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := func(eps, delta float64) Reservation {
		return Reservation{Cost: Budget{eps, delta}, Queries: []string{QueryTotals}, Params: "epsilon=1", Binding: testBinding}
	}
	id1, err := l.Reserve(res(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Commit(id1); err != nil {
		t.Fatal(err)
	}
	if err := l.Commit(id1); err == nil {
		t.Fatal("double commit accepted")
	}
	id2, _ := l.Reserve(res(0.5, 0))
	if err := l.Abort(id2, "output directory not writable"); err != nil {
		t.Fatal(err)
	}
	id3, _ := l.Reserve(res(0.75, 1e-7)) // left pending: a crash
	if _, err := l.Reserve(res(0.5, 0)); !errors.Is(err, ErrBudgetExhausted) {
		t.Fatalf("overspend: %v", err)
	}
	_ = l.Close()
	s, err := ReadLedger(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Dataset != "padova-2026" || s.Total.Epsilon != 2 || s.Spent.Epsilon != 1.75 || s.Left.Epsilon != 0.25 || s.Spent.Delta != 1e-7 {
		t.Fatalf("status %+v", s)
	}
	if len(s.Releases) != 3 || s.Releases[0].State != ReleaseCommitted || s.Releases[1].State != ReleaseAborted ||
		s.Releases[2].State != ReleasePending || len(s.Uncommitted) != 1 || s.Uncommitted[0] != id3 {
		t.Fatalf("releases %+v", s.Releases)
	}
	if s.Entries != 6 || s.LedgerID == "" || s.Head == "" || s.Binding == nil || s.Binding.diff(testBinding) != "" || s.Signer != "" {
		t.Fatalf("chain status %+v", s)
	}
}

// Release ids are random, not a counter: removing entries and releasing
// again cannot reuse an id.
func TestReleaseIDsAreRandom(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l")
	initLedger(t, path, 100, nil)
	seen := map[string]bool{}
	re := regexp.MustCompile(`^r-[0-9a-f]{16}$`)
	for range 20 {
		id := reserve(t, path, nil, Budget{Epsilon: 1}, true)
		if !re.MatchString(id) || seen[id] {
			t.Fatalf("release id %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
}

// A ledger is never created by a release: a missing (or mistyped) ledger
// is a usage error, and nothing is created.
func TestMissingLedgerIsNotCreated(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "padova.ledger.typo")
	if _, err := OpenLedger(ctx, path, nil); !errors.Is(err, base.ErrUsage) || !strings.Contains(err.Error(), "budget init") {
		t.Fatalf("open: %v", err)
	}
	if _, err := ReadLedger(ctx, path); !errors.Is(err, base.ErrUsage) {
		t.Fatalf("read: %v", err)
	}
	for _, dry := range []bool{true, false} {
		_, err := Publish(ctx, synthHouseholds(20, 1), PublishConfig{Params: Params{Epsilon: 1}, Domain: DefaultDomain(testPartners),
			Ledger: path, Binding: testBinding, OutDir: filepath.Join(dir, "out"), DryRun: dry})
		if !errors.Is(err, base.ErrUsage) {
			t.Fatalf("publish (dry run %v): %v", dry, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files created: %v", entries)
	}
}

// Budget arithmetic is exact: many small releases fill the budget exactly
// and never overspend it by rounding.
func TestBudgetArithmeticIsExact(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of fsyncs")
	}
	tests := []struct {
		eps   float64
		n     int
		total float64
	}{
		{0.1, 30, 3},    // float: 0.1 added 30 times is 3.0000000000000013
		{0.01, 300, 3},  // float: 3.0000000000000027
		{0.3, 10, 3},    // float: 2.9999999999999996, which would let an 11th tiny release in
		{1e-9, 3, 3e-9}, // the old 1e-9 slack let such releases through
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "l")
		initLedger(t, path, tt.total, nil)
		l, err := OpenLedger(context.Background(), path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range tt.n {
			if _, err := l.Reserve(Reservation{Cost: Budget{Epsilon: tt.eps}, Binding: testBinding}); err != nil {
				t.Fatalf("ε=%g, release %d of %d: %v", tt.eps, i+1, tt.n, err)
			}
		}
		if _, err := l.Reserve(Reservation{Cost: Budget{Epsilon: 1e-300}, Binding: testBinding}); !errors.Is(err, ErrBudgetExhausted) {
			t.Fatalf("ε=%g: a release beyond the total was accepted: %v", tt.eps, err)
		}
		s := l.Status()
		_ = l.Close()
		if s.Spent.Epsilon != tt.total || s.Left.Epsilon != 0 {
			t.Fatalf("ε=%g ×%d: spent %v, left %v of %v", tt.eps, tt.n, s.Spent.Epsilon, s.Left.Epsilon, tt.total)
		}
	}
}

// An orphan head file (a ledger deleted after releases) stops a new ledger
// from being created in its place; one of the init entry alone (an
// interrupted init) does not.
func TestInitOverAnOrphanHead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "l")
	initLedger(t, path, 3, nil)
	_ = os.Remove(path) // as an init interrupted before the ledger appeared
	initLedger(t, path, 3, nil)
	reserve(t, path, nil, Budget{Epsilon: 1}, true)
	_ = os.Remove(path)
	if err := InitLedger(path, "", Budget{Epsilon: 3}, nil); !errors.Is(err, base.ErrIntegrity) || !strings.Contains(err.Error(), "deleted") {
		t.Fatalf("init over the head of a ledger with releases: %v", err)
	}
	if _, err := OpenLedger(context.Background(), path, nil); !errors.Is(err, base.ErrIntegrity) {
		t.Fatalf("open of a deleted ledger with a head: %v", err)
	}
}

// tamper is one way of damaging or rewriting a ledger with two committed
// releases (7 entries: init, pending, committed, pending, committed;
// lines 1-5).
type tamper struct {
	name string
	do   func(t *testing.T, path string)
	msg  string // in the error
}

var tampers = []tamper{
	{"last entry removed", func(t *testing.T, p string) { writeLines(t, p, ledgerLines(t, p)[:4]) }, "truncated"},
	{"last two entries removed", func(t *testing.T, p string) { writeLines(t, p, ledgerLines(t, p)[:3]) }, "truncated"},
	{"last entry replaced by half a line, as a torn write", func(t *testing.T, p string) {
		ls := ledgerLines(t, p)
		writeLines(t, p, append(ls[:4], ls[4][:len(ls[4])/2]))
	}, "head file records 5"},
	{"all releases removed", func(t *testing.T, p string) { writeLines(t, p, ledgerLines(t, p)[:1]) }, "truncated"},
	{"cost edited, checksum not recomputed", func(t *testing.T, p string) {
		ls := ledgerLines(t, p)
		ls[1] = bytes.Replace(ls[1], []byte(`"epsilon":1`), []byte(`"epsilon":0.1`), 1)
		writeLines(t, p, ls)
	}, "checksum mismatch"},
	{"cost edited, checksum recomputed", func(t *testing.T, p string) {
		ls := ledgerLines(t, p)
		edited, _ := rechain(t, ls[:2], func(i int, e *Entry) {
			if i == 1 {
				e.Cost.Epsilon = 0.1
			}
		})
		writeLines(t, p, append(edited, ls[2:]...))
	}, "hash chain is broken"},
	{"cost edited, whole chain recomputed", func(t *testing.T, p string) {
		ls, _ := rechain(t, ledgerLines(t, p), func(i int, e *Entry) {
			if i == 1 {
				e.Cost.Epsilon = 0.1
			}
		})
		writeLines(t, p, ls)
	}, "not the one the head file records"},
	{"entries swapped", func(t *testing.T, p string) {
		ls := ledgerLines(t, p)
		ls[1], ls[3] = ls[3], ls[1]
		writeLines(t, p, ls)
	}, "hash chain is broken"},
	{"total raised in the init entry", func(t *testing.T, p string) {
		ls, _ := rechain(t, ledgerLines(t, p), func(i int, e *Entry) {
			if i == 0 {
				e.Total.Epsilon = 100
			}
		})
		writeLines(t, p, ls)
	}, "another ledger"},
	{"head file removed", func(t *testing.T, p string) { _ = os.Remove(HeadPath(p)) }, "head file"},
	{"head file of another ledger", func(t *testing.T, p string) {
		other := filepath.Join(filepath.Dir(p), "other")
		initLedger(t, other, 3, nil)
		b, _ := os.ReadFile(HeadPath(other))
		_ = os.WriteFile(HeadPath(p), b, 0o644)
	}, "another ledger"},
	{"two entries appended outside swd", func(t *testing.T, p string) {
		ls := ledgerLines(t, p)
		more, _ := rechain(t, append(ls, ls[1], ls[2]), func(i int, e *Entry) {
			if i >= 5 {
				e.ID = "r-00000000000000ff"
			}
		})
		writeLines(t, p, more)
	}, "appended outside swd"},
	{"damaged line in the middle", func(t *testing.T, p string) {
		ls := ledgerLines(t, p)
		ls[2] = []byte("garbage\n")
		writeLines(t, p, ls)
	}, "line 3"},
	{"not a ledger", func(t *testing.T, p string) { _ = os.WriteFile(p, []byte("not a ledger\n"), 0o644) }, "line 1"},
	{"a format 1 ledger", func(t *testing.T, p string) {
		ls, _ := rechain(t, ledgerLines(t, p)[:1], func(_ int, e *Entry) { e.Format = 0 })
		writeLines(t, p, ls)
	}, "format 1"},
}

// twoReleases makes a ledger with two committed releases of ε = 1 each
// (total 3) and returns its path.
func twoReleases(t *testing.T, key *identity.Private) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "padova.ledger")
	initLedger(t, path, 3, key)
	reserve(t, path, key, Budget{Epsilon: 1}, true)
	reserve(t, path, key, Budget{Epsilon: 1}, true)
	return path
}

// Every damaged, truncated or edited ledger is refused with an integrity
// error, by a release and by a read, and nothing is repaired.
func TestTamperedLedgerIsRefused(t *testing.T) {
	ctx := context.Background()
	for _, tt := range tampers {
		t.Run(tt.name, func(t *testing.T) {
			path := twoReleases(t, nil)
			if _, err := ReadLedger(ctx, path); err != nil {
				t.Fatalf("intact ledger: %v", err)
			}
			tt.do(t, path)
			before, beforeHead := stateOf(t, path), stateOf(t, HeadPath(path))
			_, err := OpenLedger(ctx, path, nil)
			if !errors.Is(err, base.ErrIntegrity) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("open: %v, want an integrity error saying %q", err, tt.msg)
			}
			if _, err := ReadLedger(ctx, path); !errors.Is(err, base.ErrIntegrity) {
				t.Fatalf("read: %v", err)
			}
			_, err = Publish(ctx, synthHouseholds(20, 1), PublishConfig{Params: Params{Epsilon: 0.1}, Domain: DefaultDomain(testPartners),
				Ledger: path, Binding: testBinding, OutDir: filepath.Join(t.TempDir(), "out")})
			if !errors.Is(err, base.ErrIntegrity) {
				t.Fatalf("publish: %v", err)
			}
			if after := stateOf(t, path); !bytes.Equal(after.data, before.data) {
				t.Fatal("the ledger was changed")
			}
			if after := stateOf(t, HeadPath(path)); !bytes.Equal(after.data, beforeHead.data) {
				t.Fatal("the head file was changed")
			}
		})
	}
}

// What an attacker who rewrites both the ledger and its head file can do
// to an unsigned ledger (docs/dp.md): swd accepts the result locally, and
// only a published release.json shows it.
func TestRewrittenUnsignedLedgerIsCaughtByReleases(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "l")
	initLedger(t, path, 3, nil)
	hs := synthHouseholds(30, 2)
	var outs []string
	for i := range 2 {
		out := filepath.Join(dir, "release", string(rune('a'+i)))
		if _, err := Publish(ctx, hs, PublishConfig{Params: Params{Epsilon: 1}, Domain: DefaultDomain(testPartners),
			Ledger: path, Binding: testBinding, OutDir: out}); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
	}
	if _, err := VerifyLedger(ctx, path, VerifyOptions{Releases: outs}); err != nil {
		t.Fatalf("intact ledger and its releases: %v", err)
	}
	tests := []struct {
		name string
		do   func(lines [][]byte) ([][]byte, []string)
		msg  string
	}{
		{"truncated, head forged", func(ls [][]byte) ([][]byte, []string) { return rechain(t, ls[:3], nil) }, "truncated"},
		{"cost edited, chain and head forged", func(ls [][]byte) ([][]byte, []string) {
			return rechain(t, ls, func(i int, e *Entry) {
				if i == 3 {
					e.Cost.Epsilon = 0.01
				}
			})
		}, "edited or rewritten"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved, savedHead := ledgerLines(t, path), stateOf(t, HeadPath(path)).data
			defer func() {
				writeLines(t, path, saved)
				_ = os.WriteFile(HeadPath(path), savedHead, 0o644)
			}()
			lines, hashes := tt.do(saved)
			writeLines(t, path, lines)
			forgeHead(t, path, hashes)
			if _, err := VerifyLedger(ctx, path, VerifyOptions{}); err != nil {
				t.Fatalf("a consistent rewrite of an unsigned ledger cannot be detected locally, yet: %v", err)
			}
			_, err := VerifyLedger(ctx, path, VerifyOptions{Releases: outs})
			if !errors.Is(err, base.ErrIntegrity) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("verify with the releases: %v, want %q", err, tt.msg)
			}
		})
	}
}

// A signed ledger: every entry and the head are signed; a release needs
// the key; a rewrite without the key is refused, even with a forged head.
func TestSignedLedger(t *testing.T) {
	ctx := context.Background()
	key, other := testKey(t, "comune-padova"), testKey(t, "mallory")
	path := twoReleases(t, key)
	s, err := VerifyLedger(ctx, path, VerifyOptions{Key: key.Public})
	if err != nil || s.Signer != key.ID().String() || s.SignerName != "comune-padova" || s.Spent.Epsilon != 2 {
		t.Fatalf("verify: %v %+v", err, s)
	}
	if _, err := OpenLedger(ctx, path, nil); !errors.Is(err, base.ErrUsage) || !strings.Contains(err.Error(), key.ID().String()) {
		t.Fatalf("release without the key: %v", err)
	}
	if _, err := OpenLedger(ctx, path, other); !errors.Is(err, base.ErrIntegrity) {
		t.Fatalf("release with another key: %v", err)
	}
	if _, err := VerifyLedger(ctx, path, VerifyOptions{Key: other.Public}); !errors.Is(err, base.ErrIntegrity) {
		t.Fatalf("verify against another key: %v", err)
	}
	unsigned := twoReleases(t, nil)
	if _, err := VerifyLedger(ctx, unsigned, VerifyOptions{Key: key.Public}); !errors.Is(err, base.ErrIntegrity) {
		t.Fatalf("verify of an unsigned ledger against a key: %v", err)
	}
	tests := []struct {
		name string
		do   func(t *testing.T, p string)
		msg  string
	}{
		{"truncated, head forged from the chain", func(t *testing.T, p string) {
			ls := ledgerLines(t, p)[:3]
			writeLines(t, p, ls)
			// The attacker cannot sign: an unsigned head is refused.
			h := headFile{Format: headFormat, LedgerID: decodeHash(t, ls[0]), Entries: 3, Head: decodeHash(t, ls[2])}
			if err := writeHead(p, h, nil); err != nil {
				t.Fatal(err)
			}
		}, "no valid signature"},
		{"truncated, head signed by another key", func(t *testing.T, p string) {
			ls := ledgerLines(t, p)[:3]
			writeLines(t, p, ls)
			h := headFile{Format: headFormat, LedgerID: decodeHash(t, ls[0]), Entries: 3, Head: decodeHash(t, ls[2])}
			if err := writeHead(p, h, other); err != nil {
				t.Fatal(err)
			}
		}, "no valid signature"},
		{"cost edited, rechained, head forged", func(t *testing.T, p string) {
			ls, hashes := rechain(t, ledgerLines(t, p), func(i int, e *Entry) {
				if i == 3 {
					e.Cost.Epsilon = 0.01
				}
			})
			writeLines(t, p, ls)
			forgeHead(t, p, hashes)
		}, "signature"},
		{"signatures stripped, ledger made unsigned", func(t *testing.T, p string) {
			ls, hashes := rechain(t, ledgerLines(t, p), func(_ int, e *Entry) { e.SignerKey = "" })
			writeLines(t, p, ls)
			forgeHead(t, p, hashes)
		}, "not signed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := twoReleases(t, key)
			tt.do(t, p)
			_, err := VerifyLedger(ctx, p, VerifyOptions{Key: key.Public})
			if !errors.Is(err, base.ErrIntegrity) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("verify: %v, want %q", err, tt.msg)
			}
		})
	}
}

// decodeHash is the hash a ledger line records for its entry.
func decodeHash(t *testing.T, line []byte) string {
	t.Helper()
	var ll ledgerLine
	if err := json.Unmarshal(line, &ll); err != nil {
		t.Fatal(err)
	}
	return ll.SHA256
}

// A ledger belongs to the dataset of its first release: files with another
// key check value, schema or partner set are refused.
func TestForeignDatasetIsRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "l")
	initLedger(t, path, 3, nil)
	hs := synthHouseholds(30, 2)
	publish := func(b Binding, out string) error {
		_, err := Publish(ctx, hs, PublishConfig{Params: Params{Epsilon: 0.5}, Domain: DefaultDomain(testPartners),
			Ledger: path, Binding: b, OutDir: filepath.Join(dir, out)})
		return err
	}
	if err := publish(testBinding, "first"); err != nil {
		t.Fatal(err)
	}
	before := stateOf(t, path)
	tests := []struct {
		name string
		b    Binding
		msg  string
	}{
		{"another secret", NewBinding("0000aaaa", testBinding.SchemaFingerprint, testPartners), "another linkage secret"},
		{"another schema", NewBinding(testBinding.KeyCheck, "ffff0000", testPartners), "another encoding schema"},
		{"a partner more", NewBinding(testBinding.KeyCheck, testBinding.SchemaFingerprint, append([]string{"inps"}, testPartners...)), "not in the ledger: inps"},
		{"a partner less", NewBinding(testBinding.KeyCheck, testBinding.SchemaFingerprint, testPartners[1:]), "missing: acli"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := publish(tt.b, "x")
			if !errors.Is(err, base.ErrIntegrity) || !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), "another dataset") {
				t.Fatalf("got %v, want an integrity error saying %q", err, tt.msg)
			}
			if !bytes.Equal(stateOf(t, path).data, before.data) {
				t.Fatal("the ledger changed")
			}
			if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
				t.Fatal("output written")
			}
		})
	}
	if err := publish(testBinding, "second"); err != nil {
		t.Fatalf("the ledger's own dataset: %v", err)
	}
	if err := publish(Binding{}, "none"); !errors.Is(err, base.ErrUsage) {
		t.Fatalf("a release without its dataset: %v", err)
	}
}

// The two states a crash leaves are completed by the next release: a torn
// last line is cut off, an entry beyond the head becomes the head.
func TestCrashStatesAreCompleted(t *testing.T) {
	ctx := context.Background()
	t.Run("torn tail", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "torn")
		tornLedger(t, p, 3)
		good := ledgerLines(t, p)
		s, err := ReadLedger(ctx, p)
		if err != nil || !s.TornTail || s.Spent.Epsilon != 1 {
			t.Fatalf("read: %v %+v", err, s)
		}
		l, err := OpenLedger(ctx, p, nil)
		if err != nil || !l.Repaired() {
			t.Fatalf("open: %v", err)
		}
		_ = l.Close()
		if got := ledgerLines(t, p); len(got) != len(good) || !bytes.Equal(bytes.Join(got, nil), stateOf(t, p).data) {
			t.Fatal("torn tail not cut off")
		}
	})
	t.Run("entry beyond the head", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "beyond")
		initLedger(t, p, 3, nil)
		oldHead := stateOf(t, HeadPath(p)).data
		reserve(t, p, nil, Budget{Epsilon: 1}, false)
		_ = os.WriteFile(HeadPath(p), oldHead, 0o644) // as a crash before the head's update
		s, err := ReadLedger(ctx, p)
		if err != nil || s.Spent.Epsilon != 1 || len(s.Uncommitted) != 1 {
			t.Fatalf("read: %v %+v", err, s)
		}
		l, err := OpenLedger(ctx, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = l.Close()
		if h, err := readHead(p); err != nil || h.Entries != 2 || h.Head != s.Head {
			t.Fatalf("head not advanced: %+v %v", h, err)
		}
	})
}

// Two releases racing for the last of the budget: exactly one wins, the
// other is refused with ErrBudgetExhausted and writes nothing.
func TestConcurrentReleasesShareTheBudget(t *testing.T) {
	dir := t.TempDir()
	ledger := filepath.Join(dir, "d.ledger")
	initLedger(t, ledger, 1.5, nil)
	hs := synthHouseholds(50, 3)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Publish(context.Background(), hs, PublishConfig{Params: Params{Epsilon: 1},
				Domain: DefaultDomain(testPartners), Ledger: ledger, Binding: testBinding, OutDir: filepath.Join(dir, "out", string(rune('a'+i)))})
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		out := filepath.Join(dir, "out", string(rune('a'+i)))
		_, statErr := os.Stat(out)
		switch {
		case err == nil:
			ok++
			if statErr != nil {
				t.Errorf("release %d succeeded without output", i)
			}
		case errors.Is(err, ErrBudgetExhausted):
			if statErr == nil {
				t.Errorf("refused release %d left output", i)
			}
		default:
			t.Errorf("release %d: %v", i, err)
		}
	}
	s, _ := ReadLedger(context.Background(), ledger)
	if ok != 1 || s.Spent.Epsilon != 1 || len(s.Releases) != 1 {
		t.Fatalf("%d releases succeeded, spent %v", ok, s.Spent)
	}
}
