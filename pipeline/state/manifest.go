package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/welfare-district/swd/internal/base"
)

// ManifestName is the manifest's file name in a state directory.
const ManifestName = "MANIFEST.json"

// ManifestFormat and ManifestVersion identify a manifest written by this
// package; Open refuses a later version.
const (
	ManifestFormat = "swd-linkage-state"
	// ManifestVersion 2 keeps the events of each period after the first in
	// a file of their own (events-YYYY-MM.parquet), carried from one
	// generation to the next without being read or written again; a
	// version-1 state holds them all in events.parquet.
	ManifestVersion = 2
)

// ErrNoState is returned by Open for a directory without a manifest.
var ErrNoState = errors.New("state: no linkage state")

// Manifest describes a state: its generation of files and what they hold.
type Manifest struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	Generation int64  `json:"generation"`
	// Dir is the generation directory, relative to the state directory.
	Dir string `json:"dir"`
	// Period is the last period linked.
	Period string `json:"period"`
	// SchemaFingerprint and KeyCheck are those of every encoding in the
	// state: files encoded otherwise are refused.
	SchemaFingerprint string `json:"schema_fingerprint"`
	KeyCheck          string `json:"key_check"`
	NextPerson        int64  `json:"next_person"`
	NextHousehold     int64  `json:"next_household"`
	NextSeq           int64  `json:"next_seq"`
	// Partners lists each partner's encodings file.
	Partners []PartnerFile `json:"partners"`
	// Files are the generation's files with their size and SHA-256.
	Files map[string]FileSum `json:"files"`
	// Periods summarises every period linked, in order.
	Periods []PeriodSummary `json:"periods"`
	// Log lists the runs and erasures, in order; it names no person.
	Log         []LogEntry `json:"log"`
	CodeVersion string     `json:"code_version"`
}

// PartnerFile is a partner's encodings file in the generation directory.
type PartnerFile struct {
	Name string `json:"name"`
	File string `json:"file"`
	Rows int    `json:"rows"`
}

// FileSum is a file's size and SHA-256 (hex).
type FileSum struct {
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// PeriodSummary counts what a period's run found.
type PeriodSummary struct {
	Period     string `json:"period"`
	Records    int    `json:"records"`
	New        int    `json:"new"`
	Reopened   int    `json:"reopened"`
	Changed    int    `json:"changed"`
	Closed     int    `json:"closed"`
	Persons    int    `json:"persons"`
	Households int    `json:"households"`
	Events     int    `json:"events"`
	Refit      bool   `json:"refit,omitempty"`
	// Flows counts the households new, closed and intercepted (exact,
	// for the linkage unit; see Flow).
	Flows map[string]int `json:"flows,omitempty"`
	// PublicServices are the partners the flows took for public services
	// (in the manifest's partner order); a release of the period must
	// take the same.
	PublicServices []string `json:"public_services,omitempty"`
}

// LogEntry is one run or erasure: counts, never a record id.
type LogEntry struct {
	Time    time.Time `json:"time"`
	Action  string    `json:"action"` // "link" or "erase"
	Period  string    `json:"period,omitempty"`
	Partner string    `json:"partner,omitempty"`
	Records int       `json:"records"`
	Note    string    `json:"note,omitempty"`
}

// readManifest reads and checks the manifest of dir.
func readManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestName)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s", ErrNoState, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return nil, integrityf("state: %s is not a readable manifest", path)
	}
	switch {
	case m.Format != ManifestFormat:
		return nil, integrityf("state: %s is not a linkage state manifest", path)
	case m.Version > ManifestVersion:
		return nil, integrityf("state: %s has version %d; this swd reads up to %d", path, m.Version, ManifestVersion)
	case m.Dir == "" || filepath.Base(m.Dir) != m.Dir:
		return nil, integrityf("state: %s names no generation directory", path)
	}
	return &m, nil
}

// verify checks every file of the manifest's generation, each on its own
// goroutine (in name order for the error it returns).
func (m *Manifest) verify(dir string) error {
	names := slices.Sorted(maps.Keys(m.Files))
	tasks := make([]func() error, len(names))
	for k, name := range names {
		tasks[k] = func() error {
			got, err := sumFile(filepath.Join(dir, m.Dir, name))
			if err != nil {
				return integrityf("state: generation %d: %s: %w", m.Generation, name, err)
			}
			if got != m.Files[name] {
				return integrityf("state: generation %d: %s does not match the manifest", m.Generation, name)
			}
			return nil
		}
	}
	return parallel(tasks)
}

func sumFile(path string) (FileSum, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileSum{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileSum{}, err
	}
	return FileSum{Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// integrityf formats an error marked swd.ErrIntegrity: a state that does
// not match its manifest, or files that do not match the state.
func integrityf(format string, args ...any) error {
	return base.Mark(fmt.Errorf(format, args...), base.ErrIntegrity)
}
