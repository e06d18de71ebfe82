package dp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/welfare-district/swd/internal/base"
)

func TestLedgerLifecycle(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.ledger")
	if err := InitLedger(path, "padova-2026", Budget{Epsilon: 2, Delta: 1e-6}); err != nil {
		t.Fatal(err)
	}
	if err := InitLedger(path, "again", Budget{Epsilon: 9}); !errors.Is(err, base.ErrUsage) {
		t.Fatalf("re-init must be refused: %v", err)
	}
	l, err := OpenLedger(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	id1, err := l.Reserve(Reservation{Cost: Budget{Epsilon: 1}, Queries: []string{QueryTotals}, Params: "epsilon=1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Commit(id1); err != nil {
		t.Fatal(err)
	}
	if err := l.Commit(id1); err == nil {
		t.Fatal("double commit accepted")
	}
	id2, _ := l.Reserve(Reservation{Cost: Budget{Epsilon: 0.5}})
	if err := l.Abort(id2, "output directory not writable"); err != nil {
		t.Fatal(err)
	}
	id3, _ := l.Reserve(Reservation{Cost: Budget{Epsilon: 0.75, Delta: 1e-7}}) // left pending: a crash
	if _, err := l.Reserve(Reservation{Cost: Budget{Epsilon: 0.5}}); !errors.Is(err, ErrBudgetExhausted) {
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
}

func TestLedgerDefaultBudget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.ledger")
	l, err := OpenLedger(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if s := l.Status(); s.Total != (Budget{DefaultTotalEpsilon, DefaultTotalDelta}) || s.Dataset != "new.ledger" {
		t.Fatalf("new ledger %+v", s)
	}
}

func TestLedgerTornAndCorrupt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	mk := func(name string) (string, []byte) {
		p := filepath.Join(dir, name)
		if err := InitLedger(p, "", Budget{Epsilon: 3}); err != nil {
			t.Fatal(err)
		}
		l, _ := OpenLedger(ctx, p)
		id, _ := l.Reserve(Reservation{Cost: Budget{Epsilon: 1}})
		_ = l.Commit(id)
		_ = l.Close()
		b, _ := os.ReadFile(p)
		return p, b
	}
	t.Run("torn tail", func(t *testing.T) {
		p, good := mk("torn")
		line, _ := encodeEntry(Entry{Type: EntryPending, ID: "r9-x", Cost: &Budget{Epsilon: 1}})
		if err := os.WriteFile(p, append(good, line[:len(line)/2]...), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := ReadLedger(ctx, p)
		if err != nil || !s.TornTail || s.Spent.Epsilon != 1 {
			t.Fatalf("read: %v %+v", err, s)
		}
		l, err := OpenLedger(ctx, p)
		if err != nil || !l.Repaired() {
			t.Fatalf("open: %v", err)
		}
		_ = l.Close()
		if b, _ := os.ReadFile(p); string(b) != string(good) {
			t.Fatal("torn tail not cut off")
		}
	})
	t.Run("valid checksum, missing cost", func(t *testing.T) {
		p, good := mk("nocost")
		line, _ := encodeEntry(Entry{Type: EntryPending, ID: "r9-x"})
		_ = os.WriteFile(p, append(line, good...), 0o644)
		if _, err := ReadLedger(ctx, p); !errors.Is(err, base.ErrIntegrity) {
			t.Fatalf("want an integrity error, got %v", err)
		}
	})
	t.Run("corrupt middle", func(t *testing.T) {
		p, good := mk("corrupt")
		bad := strings.Replace(string(good), `"epsilon":1`, `"epsilon":0`, 1)
		if bad == string(good) {
			t.Fatal("test did not corrupt anything")
		}
		_ = os.WriteFile(p, []byte(bad), 0o644)
		if _, err := OpenLedger(ctx, p); !errors.Is(err, base.ErrIntegrity) {
			t.Fatalf("want an integrity error, got %v", err)
		}
	})
}

// Two releases racing for the last of the budget: exactly one wins, the
// other is refused with ErrBudgetExhausted and writes nothing.
func TestConcurrentReleasesShareTheBudget(t *testing.T) {
	dir := t.TempDir()
	ledger := filepath.Join(dir, "d.ledger")
	if err := InitLedger(ledger, "", Budget{Epsilon: 1.5}); err != nil {
		t.Fatal(err)
	}
	hs := synthHouseholds(50, 3)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Publish(context.Background(), hs, PublishConfig{Params: Params{Epsilon: 1},
				Domain: DefaultDomain(testPartners), Ledger: ledger, OutDir: filepath.Join(dir, "out", string(rune('a'+i)))})
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
