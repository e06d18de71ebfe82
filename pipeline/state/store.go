package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/incremental"
	"github.com/welfare-district/swd/linkage/model"
)

// File names inside a generation directory (see the package comment).
const (
	recordsFile = "records.parquet"
	edgesFile   = "edges.parquet"
	eventsFile  = "events.parquet"
	hhFile      = "households.parquet"
	flowsFile   = "flows.parquet"
	modelFile   = "model.json"
)

// Snapshot is a state in memory: its manifest, the linkage state, the
// events of every period and each partner's current encodings (in the
// manifest's partner order).
type Snapshot struct {
	Manifest  Manifest
	State     *incremental.State
	Events    []incremental.Event
	Encodings []*encoding.Dataset
	// Households are the last period's households; Flows the flows of
	// every period (see Flow).
	Households []Household
	Flows      []Flow
}

// Open reads the state in dir and checks every file against its manifest.
// A directory without a manifest gives ErrNoState; a state that does not
// match its manifest is an error marked swd.ErrIntegrity.
func Open(ctx context.Context, dir string) (*Snapshot, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	if err := m.verify(dir); err != nil {
		return nil, err
	}
	gen := filepath.Join(dir, m.Dir)
	s := &Snapshot{Manifest: *m, State: &incremental.State{Period: m.Period, NextPerson: m.NextPerson,
		NextHousehold: m.NextHousehold, NextSeq: m.NextSeq}}
	if s.State.Records, err = readTable[incremental.Record](filepath.Join(gen, recordsFile)); err != nil {
		return nil, err
	}
	if s.State.Edges, err = readTable[incremental.Edge](filepath.Join(gen, edgesFile)); err != nil {
		return nil, err
	}
	if s.Events, err = readTable[incremental.Event](filepath.Join(gen, eventsFile)); err != nil {
		return nil, err
	}
	// The households and flows came after the first states of version 1:
	// a state without them has no flows yet.
	if _, ok := m.Files[hhFile]; ok {
		if s.Households, err = readTable[Household](filepath.Join(gen, hhFile)); err != nil {
			return nil, err
		}
	}
	if _, ok := m.Files[flowsFile]; ok {
		if s.Flows, err = readTable[Flow](filepath.Join(gen, flowsFile)); err != nil {
			return nil, err
		}
	}
	if s.State.Model, err = model.ReadFile(filepath.Join(gen, modelFile)); err != nil {
		return nil, integrityf("state: generation %d: the model: %w", m.Generation, err)
	}
	for _, p := range m.Partners {
		d, err := encfile.Read(ctx, filepath.Join(gen, p.File))
		if err != nil {
			return nil, integrityf("state: generation %d: the encodings of partner %q: %w", m.Generation, p.Name, err)
		}
		if d.Meta.Partner != p.Name || d.Len() != p.Rows {
			return nil, integrityf("state: generation %d: the encodings of partner %q do not match the manifest", m.Generation, p.Name)
		}
		s.Encodings = append(s.Encodings, d)
	}
	return s, nil
}

// failpoint, when set (by tests), is called before each step of Save and
// makes it fail there with its error.
var failpoint func(step string) error

func fail(step string) error {
	if failpoint == nil {
		return nil
	}
	return failpoint(step)
}

// Save writes s as the next generation of the state in dir (created when
// missing) and makes it current. s.Manifest's generation, directory and
// files are set here; the rest (period, partners' names, periods, log) is
// the caller's. Nothing in the previous generation is touched before the
// new manifest is in place, so an interrupted Save leaves the previous state.
func Save(dir string, s *Snapshot) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	m := &s.Manifest
	m.Format, m.Version = ManifestFormat, ManifestVersion
	m.Generation++
	m.Dir = fmt.Sprintf("g%06d", m.Generation)
	m.Period = s.State.Period
	m.NextPerson, m.NextHousehold, m.NextSeq = s.State.NextPerson, s.State.NextHousehold, s.State.NextSeq
	gen := filepath.Join(dir, m.Dir)
	if err := os.RemoveAll(gen); err != nil { // left by an interrupted run
		return fmt.Errorf("state: %w", err)
	}
	if err := os.Mkdir(gen, 0o750); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := s.writeFiles(gen); err != nil {
		return err
	}
	m.Files = map[string]FileSum{}
	entries, err := os.ReadDir(gen)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	for _, e := range entries {
		if m.Files[e.Name()], err = sumFile(filepath.Join(gen, e.Name())); err != nil {
			return fmt.Errorf("state: %w", err)
		}
	}
	if err := atomicfile.SyncDir(gen); err != nil {
		return err
	}
	if err := fail("manifest"); err != nil {
		return err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, ManifestName), append(data, '\n'), 0o640); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := fail("cleanup"); err != nil {
		return err
	}
	return removeOldGenerations(dir, m.Dir)
}

// writeFiles writes the generation's files into gen.
func (s *Snapshot) writeFiles(gen string) error {
	steps := []struct {
		name  string
		write func(path string) error
	}{
		{recordsFile, func(p string) error { return writeTable(p, s.State.Records) }},
		{edgesFile, func(p string) error { return writeTable(p, s.State.Edges) }},
		{eventsFile, func(p string) error { return writeTable(p, s.Events) }},
		{hhFile, func(p string) error { return writeTable(p, s.Households) }},
		{flowsFile, func(p string) error { return writeTable(p, s.Flows) }},
		{modelFile, func(p string) error {
			var b bytes.Buffer
			if err := s.State.Model.Encode(&b); err != nil {
				return err
			}
			return atomicfile.WriteFile(p, b.Bytes(), 0o640)
		}},
	}
	for _, st := range steps {
		if err := fail(st.name); err != nil {
			return err
		}
		if err := st.write(filepath.Join(gen, st.name)); err != nil {
			return fmt.Errorf("state: writing %s: %w", st.name, err)
		}
	}
	s.Manifest.Partners = s.Manifest.Partners[:0]
	for k, d := range s.Encodings {
		name := fmt.Sprintf("enc-%02d.swd.parquet", k)
		if err := fail(name); err != nil {
			return err
		}
		if err := writeEncodings(filepath.Join(gen, name), d); err != nil {
			return fmt.Errorf("state: writing the encodings of partner %q: %w", d.Meta.Partner, err)
		}
		s.Manifest.Partners = append(s.Manifest.Partners, PartnerFile{Name: d.Meta.Partner, File: name, Rows: d.Len()})
	}
	return nil
}

// writeEncodings writes a dataset as an encoded file.
func writeEncodings(path string, d *encoding.Dataset) error {
	w, err := encfile.Create(path, d.Layout(), d.Meta.Partner)
	if err != nil {
		return err
	}
	defer w.Abort()
	for i := range d.Len() {
		rec := record(d, i)
		if err := w.Write(&rec); err != nil {
			return err
		}
	}
	meta := d.Meta
	meta.Rows = d.Len()
	return w.Commit(meta)
}

// removeOldGenerations removes every generation directory but keep, and
// the temporary manifests of interrupted runs.
func removeOldGenerations(dir, keep string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	for _, e := range entries {
		old := e.IsDir() && e.Name() != keep && strings.HasPrefix(e.Name(), "g")
		if old || !e.IsDir() && strings.HasPrefix(e.Name(), "."+ManifestName+".tmp-") {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("state: %w", err)
			}
		}
	}
	return nil
}

// writeTable writes rows to path as Parquet (zstd), atomically and synced.
func writeTable[T any](path string, rows []T) error {
	f, err := atomicfile.Create(path, 0o640)
	if err != nil {
		return err
	}
	defer f.Abort()
	w := parquet.NewGenericWriter[T](f, parquet.Compression(&parquet.Zstd))
	if len(rows) > 0 {
		if _, err := w.Write(rows); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return f.Commit()
}

// readTable reads a table written by writeTable.
func readTable[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, integrityf("state: %s is not a readable table", filepath.Base(path))
	}
	rows := make([]T, pf.NumRows())
	r := parquet.NewGenericReader[T](pf)
	defer r.Close()
	n, err := r.Read(rows)
	if err != nil && !errors.Is(err, io.EOF) || n != len(rows) {
		return nil, integrityf("state: %s: corrupt or truncated table", filepath.Base(path))
	}
	return rows, nil
}
