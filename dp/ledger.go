package dp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
)

// Default total budget suggested by swd budget init: a modest ε = 3 and
// δ = 1e-6 per dataset, for all its releases together. A ledger is never
// created implicitly.
const (
	DefaultTotalEpsilon = 3.0
	DefaultTotalDelta   = 1e-6
)

// LedgerFormat is the version of the ledger file format written by this
// package. Format 2 chains the entries by hash and keeps the head in a file
// beside the ledger (see docs/dp.md); format 1 ledgers (unchained) are
// refused.
const LedgerFormat = 2

// Budget is an (ε, δ) pair.
type Budget struct {
	Epsilon float64 `json:"epsilon"`
	Delta   float64 `json:"delta"`
}

// Entry types of the ledger file.
const (
	EntryInit      = "init"      // first line: the dataset and its total budget
	EntryPending   = "pending"   // a release reserved its budget (counted as spent from now on)
	EntryCommitted = "committed" // the release's files are in place
	EntryAborted   = "aborted"   // the release failed before any noise was drawn: budget returned
)

// Entry is one line of the ledger.
type Entry struct {
	Type string    `json:"type"`
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
	// Format is the ledger format (init entry only).
	Format int `json:"format,omitempty"`
	// Prev is the hex SHA-256 of the previous entry (empty for init).
	Prev    string  `json:"prev,omitempty"`
	Dataset string  `json:"dataset,omitempty"`
	Total   *Budget `json:"total,omitempty"`
	// SignerKey is the PEM public key that signs every entry of the ledger
	// and its head (init entry of a signed ledger only).
	SignerKey   string   `json:"signer_key,omitempty"`
	Cost        *Budget  `json:"cost,omitempty"`
	Queries     []string `json:"queries,omitempty"`
	Params      string   `json:"params,omitempty"`
	CodeVersion string   `json:"code_version,omitempty"`
	Output      string   `json:"output,omitempty"`
	// Binding is the dataset the release was made from (pending entries).
	Binding *Binding `json:"binding,omitempty"`
	Reason  string   `json:"reason,omitempty"`
}

// Ledger is an open privacy-budget ledger: one append-only file per
// dataset, one JSON line per entry, each entry naming the hash of the one
// before it (and, for a signed ledger, signed), fsync'd after every append,
// with the hash of the last entry kept in a head file beside it
// (HeadPath). Opened for a release (OpenLedger) it is locked exclusively;
// for reading, shared.
type Ledger struct {
	path    string
	f       *os.File
	entries []Entry
	hashes  []string        // hex SHA-256 of each entry
	ids     map[string]bool // every id used
	open    map[string]bool // releases pending, neither committed nor aborted
	head    headFile        // as read from the head file
	// beyond is the number of entries after the head file's (0 or 1: a
	// crash between an append and the head's update).
	beyond int
	// torn: the last line was incomplete (a crash during an append).
	torn     bool
	size     int64 // bytes of complete, valid entries
	now      func() time.Time
	readOnly bool

	signer  *identity.Public  // the ledger's signing key (nil: unsigned ledger)
	key     *identity.Private // the key this process signs with
	binding *Binding          // the dataset, from the first release
}

// InitLedger creates a new ledger at path (and its head file, HeadPath) for
// dataset with the given total budget. With a key, every entry of the
// ledger and its head are signed with it, and releases need the same key.
// It refuses to overwrite an existing ledger, or to replace one whose head
// file shows it had releases.
func InitLedger(path, dataset string, total Budget, key *identity.Private) error {
	if !validBudget(total) || !(total.Epsilon > 0) || !(total.Delta < 1) {
		return base.Usagef("dp: total budget must have epsilon > 0 and delta in [0, 1)")
	}
	if dataset == "" {
		dataset = filepath.Base(path)
	}
	dir := filepath.Dir(path)
	unlock, err := lockDir(dir)
	if err != nil {
		return fmt.Errorf("creating ledger: %w", err)
	}
	defer unlock()
	if _, err := os.Lstat(path); err == nil {
		return base.Usagef("dp: ledger %s already exists", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("creating ledger: %w", err)
	}
	if err := checkOrphanHead(path); err != nil {
		return err
	}
	id, err := newEntryID(nil)
	if err != nil {
		return err
	}
	e := Entry{Type: EntryInit, ID: id, Time: time.Now().UTC(), Format: LedgerFormat, Dataset: dataset, Total: &total}
	if key != nil {
		e.SignerKey = string(key.MarshalPublic())
	}
	line, hash, err := encodeLine(e, key)
	if err != nil {
		return err
	}
	// The head first: a crash before the ledger appears leaves a head of one
	// entry without a ledger, which the next init replaces.
	if err := writeHead(path, headFile{Format: headFormat, LedgerID: hash, Entries: 1, Head: hash}, key); err != nil {
		return fmt.Errorf("creating ledger: %w", err)
	}
	return createExclusive(path, line)
}

// createExclusive writes data to a new file at path, atomically and never
// over an existing file.
func createExclusive(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("creating ledger: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("creating ledger: %w", err)
	}
	// A hard link is an atomic create-if-absent: never overwrite a ledger.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return base.Usagef("dp: ledger %s already exists", path)
		}
		return fmt.Errorf("creating ledger: %w", err)
	}
	return syncDir(dir)
}

// checkOrphanHead refuses to create a ledger where a head file shows that
// a ledger with releases existed: it was deleted or moved, and a new one
// would forget the budget it spent. A head of the init entry alone is what
// an interrupted InitLedger leaves; it is replaced.
func checkOrphanHead(path string) error {
	h, err := readHead(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return base.Mark(fmt.Errorf("dp: ledger %s does not exist but its head file %s is unreadable (%v): restore the ledger, or remove the head file if no release was ever made from this ledger",
			path, HeadPath(path), err), base.ErrIntegrity)
	case h.Entries > 1:
		return orphanHeadError(path, h)
	}
	return nil
}

func orphanHeadError(path string, h headFile) error {
	return base.Mark(fmt.Errorf("dp: ledger %s is missing but its head file %s records %d entries: the ledger was deleted or moved; restore it from a backup (a new ledger would forget the budget already spent)",
		path, HeadPath(path), h.Entries), base.ErrIntegrity)
}

// missingLedger is the error for a ledger file that does not exist.
func missingLedger(path string) error {
	if h, err := readHead(path); err == nil && h.Entries > 1 {
		return orphanHeadError(path, h)
	}
	return base.Usagef("dp: ledger %s does not exist; a release never creates one: create the dataset's ledger once with 'swd budget init --ledger %s --total E'", path, path)
}

// OpenLedger opens the ledger at path for a release, verifies it (chain,
// head, signatures) and locks it exclusively until Close, waiting for
// another release to finish, or for ctx. A signed ledger needs its key; an
// unsigned one ignores key. A missing ledger is an error marked
// swd.ErrUsage, a damaged, truncated or edited one marked swd.ErrIntegrity.
//
// Two states left by a crash are completed, never anything else: a torn
// last line beyond the head (an append that never finished, so the release
// it began produced nothing) is cut off, and one complete entry beyond the
// head (a crash before the head was updated) becomes the head.
func OpenLedger(ctx context.Context, path string, key *identity.Private) (*Ledger, error) {
	quietGlog()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, missingLedger(path)
	}
	if err != nil {
		return nil, fmt.Errorf("opening ledger: %w", err)
	}
	if err := lockFile(ctx, f, true); err != nil {
		_ = f.Close()
		return nil, err
	}
	l := &Ledger{path: path, f: f, now: func() time.Time { return time.Now().UTC() }}
	if err := l.load(); err != nil {
		_ = l.Close()
		return nil, err
	}
	if err := l.useKey(key); err != nil {
		_ = l.Close()
		return nil, err
	}
	if err := l.complete(); err != nil {
		_ = l.Close()
		return nil, err
	}
	return l, nil
}

// ReadLedger reads and verifies the ledger at path under a shared lock,
// without changing it, and returns its status.
func ReadLedger(ctx context.Context, path string) (*Status, error) {
	l, err := readLedger(ctx, path)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	return l.Status(), nil
}

// readLedger opens, locks (shared) and verifies the ledger at path for
// reading; Close releases the lock. It reads the ledger as OpenLedger would
// see it (a torn last line ignored, an entry beyond the head accepted)
// and changes nothing: no file is created, truncated or synced.
func readLedger(ctx context.Context, path string) (*Ledger, error) {
	quietGlog()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, missingLedger(path)
	}
	if err != nil {
		return nil, fmt.Errorf("opening ledger: %w", err)
	}
	if err := lockFile(ctx, f, false); err != nil {
		_ = f.Close()
		return nil, err
	}
	l := &Ledger{path: path, f: f, readOnly: true}
	if err := l.load(); err != nil {
		_ = l.Close()
		return nil, err
	}
	return l, nil
}

// peekLedger is OpenLedger for a dry run: the same checks, under a shared
// lock, changing nothing. Entries cannot be appended to it.
func peekLedger(ctx context.Context, path string, key *identity.Private) (*Ledger, error) {
	l, err := readLedger(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := l.useKey(key); err != nil {
		_ = l.Close()
		return nil, err
	}
	return l, nil
}

// useKey checks the key a release signs with against the ledger's.
func (l *Ledger) useKey(key *identity.Private) error {
	switch {
	case l.signer == nil:
		return nil // unsigned ledger: the key is not used
	case key == nil:
		return base.Usagef("dp: ledger %s is signed by key %s (%s): give that key (swd publish --key)", l.path, l.signer.ID(), l.signer.Name)
	case key.ID() != l.signer.ID():
		return base.Mark(fmt.Errorf("dp: ledger %s is signed by key %s (%s), not by the given key %s (%s)",
			l.path, l.signer.ID(), l.signer.Name, key.ID(), key.Name), base.ErrIntegrity)
	}
	l.key = key
	return nil
}

// complete finishes what a crash left (see OpenLedger).
func (l *Ledger) complete() error {
	if l.torn {
		if err := l.f.Truncate(l.size); err != nil {
			return fmt.Errorf("cutting the torn last line of ledger %s: %w", l.path, err)
		}
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("cutting the torn last line of ledger %s: %w", l.path, err)
		}
	}
	if l.beyond > 0 {
		return l.writeHead()
	}
	return nil
}

// newEntryID returns a random release id, "r-" and 16 hex digits, that
// taken does not hold.
func newEntryID(taken map[string]bool) (string, error) {
	for {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		id := "r-" + hex.EncodeToString(b[:])
		if !taken[id] {
			return id, nil
		}
	}
}

// Close releases the lock.
func (l *Ledger) Close() error {
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Repaired reports whether a torn last line was found (and, for a ledger
// opened with OpenLedger, cut off).
func (l *Ledger) Repaired() bool { return l.torn }

// Path is the ledger's file name.
func (l *Ledger) Path() string { return l.path }

// ID identifies the ledger: the hex SHA-256 of its init entry.
func (l *Ledger) ID() string { return l.hashes[0] }

// Head is the hex SHA-256 of the last entry.
func (l *Ledger) Head() string { return l.hashes[len(l.hashes)-1] }

// Len is the number of entries.
func (l *Ledger) Len() int { return len(l.entries) }

// Signer is the key that signs the ledger, nil for an unsigned ledger.
func (l *Ledger) Signer() *identity.Public { return l.signer }
