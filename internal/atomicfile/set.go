package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A Set writes several files that belong together (an encoded file, its
// rejects file and its pseudonym map; a links file and its reports) so
// that they appear all or none, and a run killed half-way through the
// renames is completed, not left as a mismatched set.
//
// Each file is first written in full under a staging name beside its
// destination (Stage), with whatever atomic writer the caller uses. Commit
// then
//
//  1. writes a journal beside the primary file (".NAME.swd-set": JSON, the
//     staged and final path of every file), atomically and durably;
//  2. renames every staged file onto its destination, the primary last,
//     syncing each directory;
//  3. removes the journal.
//
// The files are durable before the journal exists, so whenever a journal
// is found, every staged file it lists either is still there, complete, or
// was already renamed: Recover finishes the renames (rolls forward) and
// removes the journal. NewSet recovers an interrupted set of the same
// primary file first, and Stage removes the staging and temporary files a
// killed run left beside a destination. A reader that finds a journal
// beside the file it reads (Incomplete) is looking at a set a run did not
// finish: it calls Recover, or refuses.
type Set struct {
	primary string
	id      string
	files   []staged
	done    bool
}

// beforeRename, when set (by tests), runs before each rename of a commit
// or recovery: the kill tests stop a run there.
var beforeRename func()

type staged struct {
	Staged string `json:"staged"`
	Final  string `json:"final"`
}

type journal struct {
	Version int      `json:"version"`
	Run     string   `json:"run"`
	Files   []staged `json:"files"`
}

// JournalPath is where the journal of the set whose primary file is
// primary lives.
func JournalPath(primary string) string {
	dir, base := filepath.Split(primary)
	return filepath.Join(dir, "."+base+".swd-set")
}

// Incomplete reports whether a run writing the set of primary was
// interrupted during its renames (its journal is still there).
func Incomplete(primary string) bool {
	_, err := os.Lstat(JournalPath(primary))
	return err == nil
}

// NewSet starts a set whose primary file is primary (renamed last; its
// journal lives beside it). It first completes a set of the same primary
// that a killed run left half-renamed; recovered says it did.
func NewSet(primary string) (s *Set, recovered bool, err error) {
	abs, err := filepath.Abs(primary)
	if err != nil {
		return nil, false, fmt.Errorf("writing %s: %w", primary, err)
	}
	if err := checkDir(abs, primary); err != nil {
		return nil, false, err
	}
	recovered, err = Recover(abs)
	if err != nil {
		return nil, recovered, err
	}
	if err := RemoveStale(JournalPath(abs)); err != nil { // a journal being written when killed
		return nil, recovered, err
	}
	id := make([]byte, 6)
	if _, err := rand.Read(id); err != nil {
		return nil, recovered, err
	}
	return &Set{primary: abs, id: hex.EncodeToString(id)}, recovered, nil
}

// ErrNoDir marks an output whose directory does not exist (errors.Is);
// the message of such an error is only its own.
var ErrNoDir = errors.New("atomicfile: the output directory does not exist")

// noDirError is err marked ErrNoDir, with err's message alone.
type noDirError struct{ err error }

func (e *noDirError) Error() string   { return e.err.Error() }
func (e *noDirError) Unwrap() []error { return []error{e.err, ErrNoDir} }

func noDir(err error) error { return &noDirError{err} }

// CheckDir refuses an output path in a directory that does not exist (an
// error marked ErrNoDir), with a message that names the directory as the
// user wrote it.
func CheckDir(path string) error {
	return checkDir(path, path)
}

func checkDir(abs, asGiven string) error {
	dir := filepath.Dir(abs)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return noDir(fmt.Errorf("cannot write %s: directory %s does not exist (create it first)", asGiven, filepath.Dir(asGiven)))
	case err != nil:
		return fmt.Errorf("cannot write %s: %w", asGiven, err)
	case !st.IsDir():
		return noDir(fmt.Errorf("cannot write %s: %s is not a directory", asGiven, filepath.Dir(asGiven)))
	}
	return nil
}

// Stage returns the name under which to write the set's file final, and
// removes what killed runs left beside final (staging and temporary
// files). The file must be complete and durable at that name (written
// with Create/Commit or an equivalent) before Commit.
func (s *Set) Stage(final string) (string, error) {
	abs, err := filepath.Abs(final)
	if err != nil {
		return "", fmt.Errorf("writing %s: %w", final, err)
	}
	if err := checkDir(abs, final); err != nil {
		return "", err
	}
	if err := RemoveStale(abs); err != nil {
		return "", err
	}
	dir, base := filepath.Split(abs)
	st := filepath.Join(dir, "."+base+".swd-set-"+s.id)
	s.files = append(s.files, staged{Staged: st, Final: abs})
	return st, nil
}

// RemoveStale removes the staging and temporary files that killed runs
// left beside final: ".NAME.swd-set-*" (staged by a Set), "..NAME.swd-set-*"
// (the temporary files of writers into a staging name) and ".NAME.tmp-*"
// (Create's temporary files). It does not touch a journal: Recover does.
func RemoveStale(final string) error {
	dir, base := filepath.Split(final)
	for _, pat := range []string{"." + base + ".swd-set-*", ".." + base + ".swd-set-*", "." + base + ".tmp-*"} {
		stale, err := filepath.Glob(filepath.Join(dir, globEscape(pat)))
		if err != nil {
			return err
		}
		for _, p := range stale {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("removing the stale file %s: %w", p, err)
			}
		}
	}
	return nil
}

// globEscape escapes the metacharacters of a file name in a glob pattern,
// except the final '*'.
func globEscape(pat string) string {
	body, star := strings.CutSuffix(pat, "*")
	var b strings.Builder
	for _, c := range body {
		if strings.ContainsRune(`*?[\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	if star {
		b.WriteByte('*')
	}
	return b.String()
}

// Commit publishes the set: journal, renames (the primary last), journal
// removed. On an error before the journal is written nothing is published
// and the staged files are removed; after it, Recover completes the set.
func (s *Set) Commit() error {
	if s.done {
		return errors.New("atomicfile: set already finished")
	}
	s.done = true
	files := s.ordered()
	for _, f := range files {
		if _, err := os.Stat(f.Staged); err != nil {
			s.removeStaged()
			return fmt.Errorf("writing %s: the file was not written: %w", f.Final, err)
		}
	}
	js, err := json.Marshal(journal{Version: 1, Run: s.id, Files: files})
	if err != nil {
		return err
	}
	if err := WriteFile(JournalPath(s.primary), js, 0o644); err != nil {
		s.removeStaged()
		return err
	}
	return finish(JournalPath(s.primary), files)
}

// ordered lists the files with the primary last.
func (s *Set) ordered() []staged {
	var out []staged
	var primary *staged
	for i, f := range s.files {
		if f.Final == s.primary {
			primary = &s.files[i]
			continue
		}
		out = append(out, f)
	}
	if primary != nil {
		out = append(out, *primary)
	}
	return out
}

// Abort removes the staged files; it is a no-op after Commit.
func (s *Set) Abort() {
	if s == nil || s.done {
		return
	}
	s.done = true
	s.removeStaged()
}

func (s *Set) removeStaged() {
	for _, f := range s.files {
		_ = os.Remove(f.Staged)
	}
}

// Recover completes the set of primary if a killed run left its journal:
// it renames every staged file still there onto its destination and removes
// the journal. It reports whether there was anything to complete.
func Recover(primary string) (bool, error) {
	jp := JournalPath(primary)
	b, err := os.ReadFile(jp)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the journal of an interrupted run %s: %w", jp, err)
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil || j.Version != 1 {
		return false, fmt.Errorf("the journal of an interrupted run %s is not readable (%v): remove it by hand after checking the files it sits beside", jp, err)
	}
	return true, finish(jp, j.Files)
}

// finish renames the staged files still present onto their destinations,
// syncs their directories and removes the journal at jp.
func finish(jp string, files []staged) error {
	dirs := map[string]bool{}
	for _, f := range files {
		if beforeRename != nil {
			beforeRename()
		}
		err := os.Rename(f.Staged, f.Final)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("writing %s: %w (run again to complete the set)", f.Final, err)
		}
		dirs[filepath.Dir(f.Final)] = true
	}
	for d := range dirs {
		if err := SyncDir(d); err != nil {
			return err
		}
	}
	if err := os.Remove(jp); err != nil {
		return fmt.Errorf("removing the journal %s: %w", jp, err)
	}
	return SyncDir(filepath.Dir(jp))
}
