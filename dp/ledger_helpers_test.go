package dp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/welfare-district/swd/internal/identity"
)

// testBinding is the dataset of the test releases.
var testBinding = NewBinding("3f2a9c0d11e4", "b7c1e0aa93f2", testPartners)

// initLedger creates a ledger at path with total ε, failing the test on
// error.
func initLedger(t testing.TB, path string, eps float64, key *identity.Private) {
	t.Helper()
	if err := InitLedger(path, "", Budget{Epsilon: eps}, key); err != nil {
		t.Fatal(err)
	}
}

// ensureLedger creates a ledger of total ε = 1000 at path unless one exists.
func ensureLedger(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		initLedger(t, path, 1000, nil)
	}
}

// reserve reserves cost on the ledger at path (opened and closed again)
// and commits when commit is set; it returns the release id.
func reserve(t testing.TB, path string, key *identity.Private, cost Budget, commit bool) string {
	t.Helper()
	l, err := OpenLedger(context.Background(), path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	id, err := l.Reserve(Reservation{Cost: cost, Queries: []string{QueryTotals}, Binding: testBinding})
	if err == nil && commit {
		err = l.Commit(id)
	}
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// ledgerLines returns the ledger's lines, each with its newline.
func ledgerLines(t testing.TB, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(b, []byte("\n"))[:bytes.Count(b, []byte("\n"))]
}

func writeLines(t testing.TB, path string, lines [][]byte) {
	t.Helper()
	if err := os.WriteFile(path, bytes.Join(lines, nil), 0o644); err != nil {
		t.Fatal(err)
	}
}

// decodeTestLine returns a line's entry.
func decodeTestLine(t testing.TB, line []byte) Entry {
	t.Helper()
	var ll ledgerLine
	var e Entry
	if err := json.Unmarshal(line, &ll); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ll.Entry, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// rechain rewrites lines as an attacker without the signing key would:
// each entry passed through edit (may be nil), checksums and the hash
// chain recomputed, signatures dropped. It returns the new lines and the
// last entry's hash.
func rechain(t testing.TB, lines [][]byte, edit func(i int, e *Entry)) ([][]byte, []string) {
	t.Helper()
	var out [][]byte
	var hashes []string
	for i, line := range lines {
		e := decodeTestLine(t, line)
		if edit != nil {
			edit(i, &e)
		}
		if i > 0 {
			e.Prev = hashes[i-1]
		}
		raw, _ := json.Marshal(e)
		sum := sha256.Sum256(raw)
		l, _ := json.Marshal(ledgerLine{Entry: raw, SHA256: hex.EncodeToString(sum[:])})
		out = append(out, append(l, '\n'))
		hashes = append(hashes, hex.EncodeToString(sum[:]))
	}
	return out, hashes
}

// forgeHead writes an unsigned head file for hashes, as an attacker who
// can write both files would.
func forgeHead(t testing.TB, path string, hashes []string) {
	t.Helper()
	if err := writeHead(path, headFile{Format: headFormat, LedgerID: hashes[0], Entries: len(hashes), Head: hashes[len(hashes)-1]}, nil); err != nil {
		t.Fatal(err)
	}
}

// testKey returns a new signing identity.
func testKey(t testing.TB, name string) *identity.Private {
	t.Helper()
	k, err := identity.Generate(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
