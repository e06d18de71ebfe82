package dp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
)

// Default total budget of a ledger created without an explicit one: a
// modest ε = 3 and δ = 1e-6 per dataset, for all its releases together.
const (
	DefaultTotalEpsilon = 3.0
	DefaultTotalDelta   = 1e-6
)

// budgetSlack absorbs floating-point error when shares are added up.
const budgetSlack = 1e-9

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
	Type        string    `json:"type"`
	ID          string    `json:"id"`
	Time        time.Time `json:"time"`
	Dataset     string    `json:"dataset,omitempty"`
	Total       *Budget   `json:"total,omitempty"`
	Cost        *Budget   `json:"cost,omitempty"`
	Queries     []string  `json:"queries,omitempty"`
	Params      string    `json:"params,omitempty"`
	CodeVersion string    `json:"code_version,omitempty"`
	Output      string    `json:"output,omitempty"`
	Reason      string    `json:"reason,omitempty"`
}

type ledgerLine struct {
	Entry  json.RawMessage `json:"entry"`
	SHA256 string          `json:"sha256"`
}

// Ledger is an open, exclusively locked privacy-budget ledger: one
// append-only file per dataset, one JSON line per entry, each with the
// SHA-256 of the entry, fsync'd after every append.
type Ledger struct {
	path    string
	f       *os.File
	entries []Entry
	torn    bool
	size    int64
	now     func() time.Time
	// created: the ledger did not exist (OpenLedger created it; for a
	// read-only ledger, one would be created).
	created bool
	// readOnly: opened for reading only (peekLedger); nothing is appended.
	readOnly bool
}

// InitLedger creates a new ledger at path for dataset with the given total
// budget. It refuses to overwrite an existing file.
func InitLedger(path, dataset string, total Budget) error {
	if !(total.Epsilon > 0) || !(total.Delta >= 0 && total.Delta < 1) {
		return base.Usagef("dp: total budget must have epsilon > 0 and delta in [0, 1)")
	}
	if dataset == "" {
		dataset = filepath.Base(path)
	}
	id, err := entryID(0)
	if err != nil {
		return err
	}
	line, err := encodeEntry(Entry{Type: EntryInit, ID: id, Time: time.Now().UTC(), Dataset: dataset, Total: &total})
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("creating ledger: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(line); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("creating ledger: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("creating ledger: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("creating ledger: %w", err)
	}
	// A hard link is an atomic create-if-absent: never overwrite a ledger.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return base.Usagef("dp: ledger %s already exists", path)
		}
		return fmt.Errorf("creating ledger: %w", err)
	}
	return atomicfile.SyncDir(dir)
}

// OpenLedger opens the ledger at path for a release, creating it with the
// default total budget if it does not exist, and locks it exclusively until
// Close (waiting for another release to finish, or for ctx). A torn last
// line, left by a crash in the middle of an append, is cut off (that entry
// was never complete, so the release it began produced nothing).
func OpenLedger(ctx context.Context, path string) (*Ledger, error) {
	quietGlog()
	created := false
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		err := InitLedger(path, "", Budget{DefaultTotalEpsilon, DefaultTotalDelta})
		if err != nil && !errors.Is(err, base.ErrUsage) {
			return nil, err
		}
		created = err == nil
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("opening ledger: %w", err)
	}
	if err := lockFile(ctx, f, true); err != nil {
		_ = f.Close()
		return nil, err
	}
	l := &Ledger{path: path, f: f, now: func() time.Time { return time.Now().UTC() }, created: created}
	if err := l.load(); err != nil {
		_ = l.Close()
		return nil, err
	}
	if l.torn {
		if err := l.repair(); err != nil {
			_ = l.Close()
			return nil, err
		}
	}
	return l, nil
}

// ReadLedger reads the ledger at path under a shared lock, without changing
// it, and returns its status.
func ReadLedger(ctx context.Context, path string) (*Status, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening ledger: %w", err)
	}
	l, err := readLedger(ctx, path, f)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	return l.Status(), nil
}

// readLedger loads the ledger open in f (read-only) under a shared lock,
// which Close releases. It closes f on error.
func readLedger(ctx context.Context, path string, f *os.File) (*Ledger, error) {
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

// peekLedger is OpenLedger for a dry run: it reads the ledger at path as
// OpenLedger would see it (a torn last line ignored; a missing ledger as
// the fresh one with the default total budget OpenLedger would create,
// failing where creating it would fail) and changes nothing: no file is
// created, truncated or synced, and the lock taken is shared. Entries
// cannot be appended to it.
func peekLedger(ctx context.Context, path string) (*Ledger, error) {
	quietGlog()
	f, err := os.Open(path)
	if err == nil {
		return readLedger(ctx, path, f)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("opening ledger: %w", err)
	}
	// InitLedger creates its temporary file in the ledger's directory.
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("creating ledger: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("creating ledger: %s is not a directory", dir)
	}
	id, err := entryID(0)
	if err != nil {
		return nil, err
	}
	total := Budget{DefaultTotalEpsilon, DefaultTotalDelta}
	first := Entry{Type: EntryInit, ID: id, Time: time.Now().UTC(), Dataset: filepath.Base(path), Total: &total}
	return &Ledger{path: path, entries: []Entry{first}, created: true, readOnly: true}, nil
}

func (l *Ledger) load() error {
	if _, err := l.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	br := bufio.NewReader(l.f)
	var off int64
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err == io.EOF {
			if len(line) > 0 {
				l.torn = true // no newline: the last append never finished
			}
			break
		}
		if err != nil {
			return fmt.Errorf("reading ledger %s: %w", l.path, err)
		}
		e, derr := decodeEntry(line)
		if derr != nil {
			if _, perr := br.Peek(1); perr == io.EOF {
				l.torn = true
				break
			}
			return base.Mark(fmt.Errorf("ledger %s: line %d: %v", l.path, n, derr), base.ErrIntegrity)
		}
		if (n == 1) != (e.Type == EntryInit) {
			return base.Mark(fmt.Errorf("ledger %s: line %d: the init entry must come first and only once", l.path, n), base.ErrIntegrity)
		}
		l.entries = append(l.entries, e)
		off += int64(len(line))
	}
	l.size = off
	if len(l.entries) == 0 {
		return base.Mark(fmt.Errorf("ledger %s: no init entry", l.path), base.ErrIntegrity)
	}
	return nil
}

func (l *Ledger) repair() error {
	if err := l.f.Truncate(l.size); err != nil {
		return fmt.Errorf("repairing ledger %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("repairing ledger %s: %w", l.path, err)
	}
	return nil
}

func encodeEntry(e Entry) ([]byte, error) {
	raw, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	line, err := json.Marshal(ledgerLine{Entry: raw, SHA256: hex.EncodeToString(sum[:])})
	if err != nil {
		return nil, err
	}
	return append(line, '\n'), nil
}

func decodeEntry(line []byte) (Entry, error) {
	var ll ledgerLine
	var e Entry
	if err := json.Unmarshal(bytes.TrimSpace(line), &ll); err != nil {
		return e, fmt.Errorf("not a ledger entry")
	}
	sum := sha256.Sum256(ll.Entry)
	if hex.EncodeToString(sum[:]) != ll.SHA256 {
		return e, fmt.Errorf("checksum mismatch")
	}
	if err := json.Unmarshal(ll.Entry, &e); err != nil || e.ID == "" {
		return e, fmt.Errorf("malformed entry")
	}
	switch {
	case e.Type == EntryInit && e.Total != nil, e.Type == EntryPending && e.Cost != nil,
		e.Type == EntryCommitted, e.Type == EntryAborted:
		return e, nil
	}
	return e, fmt.Errorf("malformed %q entry", e.Type)
}

func entryID(seq int) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return fmt.Sprintf("r%04d-%s", seq, hex.EncodeToString(b[:])), nil
}

func (l *Ledger) append(e Entry) error {
	if l.readOnly {
		return fmt.Errorf("dp: ledger %s is open for reading only", l.path)
	}
	line, err := encodeEntry(e)
	if err != nil {
		return err
	}
	if _, err := l.f.WriteAt(line, l.size); err != nil {
		_ = l.f.Truncate(l.size)
		return fmt.Errorf("writing ledger %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("writing ledger %s: %w", l.path, err)
	}
	l.size += int64(len(line))
	l.entries = append(l.entries, e)
	return nil
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

// Created reports whether the ledger did not exist and OpenLedger created it
// with the default total budget (for a dry run: would create it).
func (l *Ledger) Created() bool { return l.created }

// Path is the ledger's file name.
func (l *Ledger) Path() string { return l.path }
