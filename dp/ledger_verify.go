package dp

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
)

// VerifyOptions are the optional checks of VerifyLedger.
type VerifyOptions struct {
	// Key is the key the ledger must be signed with. Without it, the
	// signatures of a signed ledger are checked with the key its init entry
	// names, which proves only that one key signed everything: compare
	// Status.Signer with the linkage unit's key id.
	Key *identity.Public
	// Releases are release directories (or their release.json files). The
	// ledger must still hold, at the place each release.json records, the
	// entry of that release: a published release is a witness against a
	// ledger truncated or rewritten after it.
	Releases []string
}

// VerifyLedger verifies the ledger at path without changing it: every
// entry's checksum, the hash chain, the head file, the signatures, the
// consistency of the releases and of their dataset, and the options'
// checks. It returns the ledger's status, or an error marked
// swd.ErrIntegrity saying what is wrong (a missing ledger: swd.ErrUsage).
func VerifyLedger(ctx context.Context, path string, opts VerifyOptions) (*Status, error) {
	l, err := readLedger(ctx, path)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	if k := opts.Key; k != nil {
		switch {
		case l.signer == nil:
			return nil, l.integrity("it is not signed, but key %s (%s) was given: a signed ledger whose signatures were removed looks like this", k.ID(), k.Name)
		case l.signer.ID() != k.ID():
			return nil, l.integrity("it is signed by key %s (%s), not by the given key %s (%s)", l.signer.ID(), l.signer.Name, k.ID(), k.Name)
		}
	}
	for _, dir := range opts.Releases {
		if err := l.checkRelease(dir); err != nil {
			return nil, err
		}
	}
	return l.Status(), nil
}

// checkRelease checks that the ledger holds the pending entry a release's
// release.json names, at the place it names.
func (l *Ledger) checkRelease(dir string) error {
	path := dir
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		path = filepath.Join(dir, "release.json")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return base.Usagef("release %s: %v", dir, err)
	}
	var m ReleaseMeta
	if err := json.Unmarshal(raw, &m); err != nil || m.LedgerEntryID == "" {
		return base.Invalidf("%s: not a release.json", path)
	}
	if m.LedgerID == "" || m.LedgerHead == "" || m.LedgerEntries < 1 {
		return base.Invalidf("%s: release %s records no ledger head (made by a version before ledger format %d)", path, m.LedgerEntryID, LedgerFormat)
	}
	switch n := m.LedgerEntries; {
	case m.LedgerID != l.ID():
		return l.integrity("release %s (%s) was made from another ledger, or this ledger was re-created since", m.LedgerEntryID, path)
	case n > l.Len():
		return l.integrity("release %s (%s) recorded entry %d, the ledger holds %d: it was truncated", m.LedgerEntryID, path, n, l.Len())
	case l.hashes[n-1] != m.LedgerHead || l.entries[n-1].Type != EntryPending || l.entries[n-1].ID != m.LedgerEntryID:
		return l.integrity("entry %d is not the one release %s (%s) recorded: the ledger was edited or rewritten", n, m.LedgerEntryID, path)
	}
	return nil
}
