package state

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/incremental"
	"github.com/welfare-district/swd/linkage/model"
	"github.com/welfare-district/swd/pipeline"
)

// File names inside a generation directory (see the package comment).
const (
	recordsFile = "records.parquet"
	edgesFile   = "edges.parquet"
	eventsFile  = "events.parquet"
	hhFile      = "households.parquet"
	flowsFile   = "flows.parquet"
	modelFile   = "model.json"
	priorsFile  = "priors.parquet"
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

	// sources holds, when known, the encoded file each of Encodings was
	// decoded from (pipeline.Source; a zero Source: encoded again when
	// saved): a run stores a partner's snapshot as it was read, copied from
	// the file if it still has the sum it had when read (the bytes are not
	// kept in memory meanwhile).
	sources []pipeline.Source
	// keptEvents, when not nil, are the event files of the generation in
	// from (with their sums) that Events does not hold: Save links them
	// into the next generation as they are and writes Events into a file
	// of their period. nil: Events holds every event.
	keptEvents map[string]FileSum
	from       string
}

// eventsFileOf is the file of the events of a period after the first.
func eventsFileOf(period string) string { return "events-" + period + ".parquet" }

// eventFiles returns the event files of a manifest in the order of their
// periods: events.parquet (every event up to some period) first.
func eventFiles(files map[string]FileSum) []string {
	var out []string
	for name := range files {
		if strings.HasPrefix(name, "events-") && strings.HasSuffix(name, ".parquet") {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	if _, ok := files[eventsFile]; ok {
		out = append([]string{eventsFile}, out...)
	}
	return out
}

// Open reads the state in dir and checks every file against its manifest.
// A directory without a manifest gives ErrNoState; a state that does not
// match its manifest is an error marked swd.ErrIntegrity.
func Open(ctx context.Context, dir string) (*Snapshot, error) {
	return open(ctx, dir, nil)
}

// open is Open without decoding the encodings of the partners in skip
// (their Encodings are nil; their files are still checked): a run that has
// every partner's new snapshot does not need the previous ones. With skip
// not nil the events are not read either (a run only adds its own; see
// Snapshot.keptEvents).
func open(ctx context.Context, dir string, skip map[string]bool) (*Snapshot, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	gen := filepath.Join(dir, m.Dir)
	s := &Snapshot{Manifest: *m, State: &incremental.State{Period: m.Period, NextPerson: m.NextPerson,
		NextHousehold: m.NextHousehold, NextSeq: m.NextSeq}}
	// Every file is checked and read on its own goroutine: the state's
	// files are independent, and a run spends its first moments here.
	tasks := []func() error{func() error { return m.verify(dir) }}
	table := func(name string, read func(path string) error) {
		tasks = append(tasks, func() error { return read(filepath.Join(gen, name)) })
	}
	table(recordsFile, func(p string) (err error) {
		s.State.Records, err = readTable[incremental.Record](p)
		internRecords(s.State.Records)
		return
	})
	table(edgesFile, func(p string) (err error) {
		s.State.Edges, err = readTable[incremental.Edge](p)
		internEdges(s.State.Edges)
		return
	})
	evNames := eventFiles(m.Files)
	if skip != nil {
		s.keptEvents, s.from = map[string]FileSum{}, gen
		for _, name := range evNames {
			s.keptEvents[name] = m.Files[name]
		}
	}
	events := make([][]incremental.Event, len(evNames))
	if skip == nil {
		for k, name := range evNames {
			table(name, func(p string) (err error) { events[k], err = readTable[incremental.Event](p); return })
		}
	}
	// The households and flows came after the first states of version 1:
	// a state without them has no flows yet.
	if _, ok := m.Files[hhFile]; ok {
		table(hhFile, func(p string) (err error) { s.Households, err = readTable[Household](p); return })
	}
	if _, ok := m.Files[flowsFile]; ok {
		table(flowsFile, func(p string) (err error) { s.Flows, err = readTable[Flow](p); return })
	}
	// The priors of the pairs of partners came later still: a state
	// without them scores with the model's prior (incremental.State.Priors).
	if _, ok := m.Files[priorsFile]; ok {
		table(priorsFile, func(p string) (err error) { s.State.Priors, err = readTable[linkage.PairPrior](p); return })
	}
	table(modelFile, func(p string) (err error) {
		if s.State.Model, err = model.ReadFile(p); err != nil {
			return integrityf("state: generation %d: the model: %w", m.Generation, err)
		}
		return nil
	})
	s.Encodings = make([]*encoding.Dataset, len(m.Partners))
	for k, pf := range m.Partners {
		if skip[pf.Name] {
			continue
		}
		table(pf.File, func(path string) error {
			d, err := encfile.Read(ctx, path)
			if err != nil {
				return integrityf("state: generation %d: the encodings of partner %q: %w", m.Generation, pf.Name, err)
			}
			if d.Meta.Partner != pf.Name || d.Len() != pf.Rows {
				return integrityf("state: generation %d: the encodings of partner %q do not match the manifest", m.Generation, pf.Name)
			}
			s.Encodings[k] = d
			return nil
		})
	}
	if err := parallel(tasks); err != nil {
		return nil, err
	}
	if skip == nil {
		s.Events = slices.Concat(events...)
	}
	return s, nil
}

// internRecords makes the records' partners and periods share one string
// per distinct value: the table reader gives every row strings of its own,
// three small objects a record that the collector would otherwise keep
// and mark for the whole run.
func internRecords(rs []incremental.Record) {
	seen := map[string]string{}
	for k := range rs {
		r := &rs[k]
		r.Partner, r.FirstPeriod, r.LastPeriod = intern(seen, r.Partner), intern(seen, r.FirstPeriod), intern(seen, r.LastPeriod)
	}
}

// internEdges is internRecords for the links' partners.
func internEdges(es []incremental.Edge) {
	seen := map[string]string{}
	for k := range es {
		e := &es[k]
		e.PartnerA, e.PartnerB = intern(seen, e.PartnerA), intern(seen, e.PartnerB)
	}
}

// intern returns the string of seen equal to v, adding v when there is
// none.
func intern(seen map[string]string, v string) string {
	if w, ok := seen[v]; ok {
		return w
	}
	seen[v] = v
	return v
}

// parallel runs every task on its own goroutine and returns the error of
// the first task, in order, that failed (the same error whatever the
// scheduling: verify, first, names a state that does not match its
// manifest before a read names its symptom).
func parallel(tasks []func() error) error {
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for k, t := range tasks {
		wg.Go(func() { errs[k] = t() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
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

// writeFiles writes the generation's files into gen, each on its own
// goroutine, and sets the manifest's partners and files (each file's sum
// taken right after it is written, while it is in the page cache).
func (s *Snapshot) writeFiles(gen string) error {
	type step struct {
		name  string
		write func(path string) error
		// table: written by writeTable. The tables are written one after
		// the other, on one goroutine: each Parquet writer compressing at
		// once holds a zstd encoder of its own (16 MiB of history), which
		// was most of an incremental month's peak memory at 20,000
		// households; in turn they reuse one.
		table bool
		// sum, when write sets it, is the sum of the file written
		// (otherwise it is read back).
		sum *FileSum
	}
	steps := []step{
		{recordsFile, func(p string) error { return writeTable(p, s.State.Records) }, true, nil},
		{edgesFile, func(p string) error { return writeTable(p, s.State.Edges) }, true, nil},
		{hhFile, func(p string) error { return writeTable(p, s.Households) }, true, nil},
		{flowsFile, func(p string) error { return writeTable(p, s.Flows) }, true, nil},
		{priorsFile, func(p string) error { return writeTable(p, s.State.Priors) }, true, nil},
		{modelFile, func(p string) error {
			var b bytes.Buffer
			if err := s.State.Model.Encode(&b); err != nil {
				return err
			}
			return atomicfile.WriteFile(p, b.Bytes(), 0o640)
		}, false, nil},
	}
	// The events: all in events.parquet, or the new ones in their period's
	// file beside those kept (linked as they are).
	evName := eventsFile
	if s.keptEvents != nil {
		evName = eventsFileOf(s.State.Period)
	}
	steps = append(steps, step{evName, func(p string) error { return writeTable(p, s.Events) }, true, nil})
	var kept []string
	for name := range s.keptEvents {
		if name != evName {
			kept = append(kept, name)
		}
	}
	slices.Sort(kept)
	s.Manifest.Partners = s.Manifest.Partners[:0]
	for k, d := range s.Encodings {
		name := fmt.Sprintf("enc-%02d.swd.parquet", k)
		var src pipeline.Source
		if k < len(s.sources) {
			src = s.sources[k]
		}
		sum := new(FileSum)
		steps = append(steps, step{name: name, sum: sum, write: func(p string) error {
			if src.Path != "" {
				copied, err := copySource(src, p)
				if err != nil || copied.SHA256 != "" {
					*sum = copied
					return err
				}
				// The file changed since it was read: the dataset
				// linked is encoded again instead.
			}
			if err := writeEncodings(p, d); err != nil {
				return fmt.Errorf("the encodings of partner %q: %w", d.Meta.Partner, err)
			}
			return nil
		}})
		s.Manifest.Partners = append(s.Manifest.Partners, PartnerFile{Name: d.Meta.Partner, File: name, Rows: d.Len()})
	}
	sums := make([]FileSum, len(steps))
	run := func(k int) error {
		st := steps[k]
		if err := fail(st.name); err != nil {
			return err
		}
		path := filepath.Join(gen, st.name)
		if err := st.write(path); err != nil {
			return fmt.Errorf("state: writing %s: %w", st.name, err)
		}
		if st.sum != nil && st.sum.SHA256 != "" {
			sums[k] = *st.sum
			return nil
		}
		var err error
		if sums[k], err = sumFile(path); err != nil {
			return fmt.Errorf("state: %w", err)
		}
		return nil
	}
	var tables []int
	var tasks []func() error
	for k, st := range steps {
		if st.table {
			tables = append(tables, k)
			continue
		}
		tasks = append(tasks, func() error { return run(k) })
	}
	tasks = append(tasks, func() error {
		for _, k := range tables {
			if err := run(k); err != nil {
				return err
			}
		}
		return nil
	})
	for _, name := range kept {
		tasks = append(tasks, func() error {
			if err := fail(name); err != nil {
				return err
			}
			return linkFile(filepath.Join(s.from, name), filepath.Join(gen, name))
		})
	}
	if err := parallel(tasks); err != nil {
		return err
	}
	s.Manifest.Files = make(map[string]FileSum, len(steps)+len(kept))
	for k, st := range steps {
		s.Manifest.Files[st.name] = sums[k]
	}
	for _, name := range kept {
		s.Manifest.Files[name] = s.keptEvents[name] // checked when the state was opened
	}
	if s.keptEvents != nil { // the events written are kept from now on
		s.keptEvents = map[string]FileSum{}
		for _, name := range eventFiles(s.Manifest.Files) {
			s.keptEvents[name] = s.Manifest.Files[name]
		}
		s.from, s.Events = gen, nil
	}
	return nil
}

// copySource copies the encoded file src to path (atomically, synced) and
// returns its sum. If the file no longer has the size and SHA-256 it had
// when it was read, nothing is written and the sum returned is zero.
func copySource(src pipeline.Source, path string) (FileSum, error) {
	in, err := os.Open(src.Path)
	if err != nil {
		return FileSum{}, err
	}
	defer in.Close()
	out, err := atomicfile.Create(path, 0o640)
	if err != nil {
		return FileSum{}, err
	}
	defer out.Abort()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err != nil {
		return FileSum{}, err
	}
	var got [sha256.Size]byte
	if h.Sum(got[:0]); n != src.Size || got != src.SHA256 {
		return FileSum{}, nil
	}
	if err := out.Commit(); err != nil {
		return FileSum{}, err
	}
	return FileSum{Bytes: n, SHA256: hex.EncodeToString(got[:])}, nil
}

// linkFile makes dst a hard link to src (a file of the previous generation,
// which is never written again), or a copy where links are not supported.
func linkFile(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := atomicfile.WriteFile(dst, data, 0o640); err != nil {
		return fmt.Errorf("state: %w", err)
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
