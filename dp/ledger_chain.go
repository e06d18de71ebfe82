package dp

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
)

// Signature contexts (domain separation) of ledger entries and heads.
const (
	entryContext = "swd-ledger-entry-v1"
	headContext  = "swd-ledger-head-v1"
)

// headFormat is the version of the head file.
const headFormat = 1

// ledgerLine is one line of the ledger file: the entry's exact bytes, their
// SHA-256 and, in a signed ledger, the signature of that hash.
type ledgerLine struct {
	Entry  json.RawMessage `json:"entry"`
	SHA256 string          `json:"sha256"`
	Sig    string          `json:"sig,omitempty"` // base64 hybrid signature of the raw hash
}

// headFile is the content of the head file: which ledger, how many entries,
// the hash of the last one, and in a signed ledger the signature of the
// rest.
type headFile struct {
	Format   int    `json:"format"`
	LedgerID string `json:"ledger_id"` // hash of the init entry
	Entries  int    `json:"entries"`
	Head     string `json:"head"` // hash of the last entry
	Sig      string `json:"sig,omitempty"`
}

// HeadPath is the head file of the ledger at path: path + ".head". Keep
// the two files together (and back them up together).
func HeadPath(path string) string { return path + ".head" }

// encodeLine encodes e as a ledger line, signed with key when not nil, and
// returns it with the entry's hash.
func encodeLine(e Entry, key *identity.Private) (line []byte, hash string, err error) {
	raw, err := json.Marshal(e)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(raw)
	ll := ledgerLine{Entry: raw, SHA256: hex.EncodeToString(sum[:])}
	if key != nil {
		sig, err := key.Sign(entryContext, sum[:])
		if err != nil {
			return nil, "", err
		}
		ll.Sig = base64.StdEncoding.EncodeToString(sig)
	}
	line, err = json.Marshal(ll)
	if err != nil {
		return nil, "", err
	}
	return append(line, '\n'), ll.SHA256, nil
}

// integrity formats an error about the ledger marked ErrIntegrity.
func (l *Ledger) integrity(format string, args ...any) error {
	return base.Mark(fmt.Errorf("dp: ledger %s: %s", l.path, fmt.Sprintf(format, args...)), base.ErrIntegrity)
}

// load reads and verifies the whole ledger: every line's checksum, the
// chain, the signatures, the entries' consistency, and the head file.
func (l *Ledger) load() error {
	head, herr := readHead(l.path)
	if _, err := l.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	l.ids, l.open = map[string]bool{}, map[string]bool{}
	br := bufio.NewReader(l.f)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err == io.EOF {
			l.torn = len(line) > 0 // no newline: the last append never finished
			break
		}
		if err != nil {
			return fmt.Errorf("reading ledger %s: %w", l.path, err)
		}
		if derr := l.add(line, n); derr != nil {
			// A damaged last line after the head is an append that never
			// completed; anywhere else it is damage or an edit.
			if _, perr := br.Peek(1); perr == io.EOF && herr == nil && n > head.Entries {
				l.torn = true
				break
			}
			return l.integrity("line %d: %v", n, derr)
		}
		l.size += int64(len(line))
	}
	if len(l.entries) == 0 {
		return l.integrity("no init entry (empty or damaged file)")
	}
	if err := l.checkHead(head, herr); err != nil {
		return err
	}
	if s := l.sums(); s.spentEps.Cmp(s.totalEps) > 0 || s.spentDelta.Cmp(s.totalDelta) > 0 {
		return l.integrity("its releases spend more than its total budget (edited)")
	}
	return nil
}

// add verifies one complete line, the n-th, against the entries before it
// and appends its entry.
func (l *Ledger) add(line []byte, n int) error {
	var ll ledgerLine
	if err := json.Unmarshal(bytes.TrimSpace(line), &ll); err != nil {
		return errors.New("not a ledger entry")
	}
	sum := sha256.Sum256(ll.Entry)
	if hex.EncodeToString(sum[:]) != ll.SHA256 {
		return errors.New("checksum mismatch (damaged or edited)")
	}
	var e Entry
	if err := json.Unmarshal(ll.Entry, &e); err != nil || e.ID == "" {
		return errors.New("malformed entry")
	}
	if err := l.link(e, n); err != nil {
		return err
	}
	if err := l.checkSig(ll.Sig, sum[:]); err != nil {
		return err
	}
	if err := l.apply(e); err != nil {
		return err
	}
	l.entries = append(l.entries, e)
	l.hashes = append(l.hashes, ll.SHA256)
	return nil
}

// link checks e's place in the chain: the init entry first, then each
// entry naming the hash of the one before it.
func (l *Ledger) link(e Entry, n int) error {
	if n > 1 {
		switch {
		case e.Type == EntryInit:
			return errors.New("a second init entry")
		case e.Prev != l.hashes[n-2]:
			return errors.New("the hash chain is broken: this entry does not follow the one before it (an entry was edited, removed or inserted)")
		case e.SignerKey != "":
			return errors.New("a signer key outside the init entry")
		}
		return nil
	}
	switch {
	case e.Type != EntryInit:
		return errors.New("the first entry is not the init entry")
	case e.Format == 0:
		return errors.New("a format 1 ledger (entries not hash-chained, no head file), which this version refuses: see docs/dp.md")
	case e.Format != LedgerFormat:
		return fmt.Errorf("unknown ledger format %d", e.Format)
	case e.Prev != "":
		return errors.New("an init entry with a previous hash")
	}
	if e.SignerKey != "" {
		pub, err := identity.ParsePublic([]byte(e.SignerKey))
		if err != nil {
			return errors.New("invalid signer key in the init entry")
		}
		l.signer = pub
	}
	return nil
}

// checkSig verifies an entry's signature: required in a signed ledger,
// forbidden in an unsigned one.
func (l *Ledger) checkSig(sig string, hash []byte) error {
	if l.signer == nil {
		if sig != "" {
			return errors.New("a signed entry in an unsigned ledger")
		}
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || !l.signer.Verify(entryContext, hash, raw) {
		return fmt.Errorf("missing or invalid signature (the ledger is signed by key %s)", l.signer.ID())
	}
	return nil
}

// apply checks an entry's content against the releases before it and
// records its release id and dataset.
func (l *Ledger) apply(e Entry) error {
	if e.Type != EntryCommitted && e.Type != EntryAborted && l.ids[e.ID] {
		return fmt.Errorf("id %s used twice", e.ID)
	}
	switch e.Type {
	case EntryInit:
		if e.Total == nil || !validBudget(*e.Total) {
			return errors.New("malformed init entry")
		}
	case EntryPending:
		if e.Cost == nil || !validBudget(*e.Cost) {
			return errors.New("malformed pending entry")
		}
		if e.Binding == nil || !e.Binding.complete() {
			return fmt.Errorf("release %s does not record its dataset", e.ID)
		}
		if l.binding == nil {
			l.binding = e.Binding
		} else if d := l.binding.diff(*e.Binding); d != "" {
			return fmt.Errorf("release %s is of another dataset than the ledger's first release (%s)", e.ID, d)
		}
		l.open[e.ID] = true
	case EntryCommitted, EntryAborted:
		if !l.open[e.ID] {
			return fmt.Errorf("%s entry for release %s, which is not pending", e.Type, e.ID)
		}
		delete(l.open, e.ID)
	default:
		return fmt.Errorf("unknown entry type %q", e.Type)
	}
	l.ids[e.ID] = true
	return nil
}

// checkHead compares the ledger with its head file: the head file must
// name this ledger and one of its entries, at most one entry before its
// end (a crash between an append and the head's update).
func (l *Ledger) checkHead(h headFile, err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return l.integrity("its head file %s is missing: without it, removed entries cannot be detected. Restore it from the backup of the ledger; never re-create it", HeadPath(l.path))
	case err != nil:
		return l.integrity("head file %s: %v", HeadPath(l.path), err)
	case h.LedgerID != l.hashes[0]:
		return l.integrity("the head file %s belongs to another ledger (the ledger was replaced)", HeadPath(l.path))
	case len(l.entries) < h.Entries:
		return l.integrity("truncated: the head file records %d entries, the ledger holds %d (its last entries were removed or damaged)", h.Entries, len(l.entries))
	case l.hashes[h.Entries-1] != h.Head:
		return l.integrity("entry %d is not the one the head file records (the ledger was edited or replaced)", h.Entries)
	}
	l.beyond = len(l.entries) - h.Entries
	if l.beyond > 1 || l.beyond == 1 && l.torn {
		return l.integrity("%d entries after the head recorded in %s: entries were appended outside swd", len(l.entries)-h.Entries, HeadPath(l.path))
	}
	if l.signer == nil {
		if h.Sig != "" {
			return l.integrity("a signed head file for an unsigned ledger")
		}
	} else if !verifyHead(h, l.signer) {
		return l.integrity("the head file %s has no valid signature of key %s", HeadPath(l.path), l.signer.ID())
	}
	l.head = h
	return nil
}

// readHead reads the head file of the ledger at path. A missing file is
// an error wrapping os.ErrNotExist.
func readHead(path string) (headFile, error) {
	var h headFile
	raw, err := os.ReadFile(HeadPath(path))
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(raw, &h); err != nil || h.Format != headFormat || h.Entries < 1 || h.Head == "" || h.LedgerID == "" {
		return h, errors.New("malformed head file")
	}
	return h, nil
}

func headMessage(h headFile) []byte {
	h.Sig = ""
	msg, _ := json.Marshal(h)
	return msg
}

func verifyHead(h headFile, signer *identity.Public) bool {
	raw, err := base64.StdEncoding.DecodeString(h.Sig)
	return err == nil && signer.Verify(headContext, headMessage(h), raw)
}

// writeHead replaces the head file of the ledger at path atomically (the
// old or the new head, never a mix), signed with key when not nil.
func writeHead(path string, h headFile, key *identity.Private) error {
	h.Sig = ""
	if key != nil {
		sig, err := key.Sign(headContext, headMessage(h))
		if err != nil {
			return err
		}
		h.Sig = base64.StdEncoding.EncodeToString(sig)
	}
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	f, err := atomicfile.Create(HeadPath(path), 0o644)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("writing %s: %w", HeadPath(path), err)
	}
	crashPoint("head unrenamed")
	return f.Commit()
}

// writeHead makes the last entry the head.
func (l *Ledger) writeHead() error {
	h := headFile{Format: headFormat, LedgerID: l.ID(), Entries: len(l.entries), Head: l.Head()}
	if err := writeHead(l.path, h, l.key); err != nil {
		return fmt.Errorf("updating the head of ledger %s: %w", l.path, err)
	}
	l.head, l.beyond = h, 0
	return nil
}

// append adds e after the head (fsync'd), then updates the head file. A
// crash in between leaves one entry beyond the head, which the next
// OpenLedger adopts.
func (l *Ledger) append(e Entry) error {
	if l.readOnly {
		return fmt.Errorf("dp: ledger %s is open for reading only", l.path)
	}
	if l.signer != nil && l.key == nil {
		return fmt.Errorf("dp: ledger %s is signed and no key was given", l.path)
	}
	e.Prev = l.Head()
	line, hash, err := encodeLine(e, l.key)
	if err != nil {
		return err
	}
	if err := l.apply(e); err != nil {
		return fmt.Errorf("dp: ledger %s: %w", l.path, err)
	}
	crashPoint("append " + e.Type)
	if tearType == e.Type {
		_, _ = l.f.WriteAt(line[:len(line)/2], l.size)
		_ = l.f.Sync()
		crashPoint("torn " + e.Type)
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
	l.hashes = append(l.hashes, hash)
	crashPoint("appended " + e.Type)
	return l.writeHead()
}

func syncDir(dir string) error { return atomicfile.SyncDir(dir) }
