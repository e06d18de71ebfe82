package pipeline

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/io/envelope"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/taxonomy"
)

// OpenConfig names the keys that open sealed encoded files (Encode with
// SealConfig, swd encode --seal-to). Both empty: only plain files can be
// read.
type OpenConfig struct {
	// Key is this linkage unit's private key file (mode 0600), the key the
	// files are sealed to (swd link --key).
	Key string
	// Trust is a directory of the partners' public keys (*.pub): every
	// sealed file must be signed by the key of the partner it names (swd
	// link --trust).
	Trust string
	// TempDir receives the opened files (mode 0600) while they are read;
	// empty: os.TempDir().
	TempDir string
	// District, when set and Trust is empty, supplies the trusted keys:
	// the public keys its partners are listed with (LoadDistrict).
	District *taxonomy.District
}

// Inputs are encoded files made ready to read: plain files as they are,
// sealed ones opened into temporary files. Close removes those.
type Inputs struct {
	// Names are the files as given, for messages.
	Names []string
	// Paths are the files to read, in the same order.
	Paths []string
	temps []string
}

// OpenInputs opens the encoded files names. A sealed file is opened into a
// temporary file after its checks: it must be addressed to cfg.Key, signed
// by a key in cfg.Trust, and that key must be the one of the partner the
// encoded file names. A tampered, truncated or mis-addressed file, an
// unknown signer or a wrong partner is an error marked swd.ErrIntegrity; a
// sealed file without both keys, swd.ErrUsage. On error nothing is left
// behind.
func OpenInputs(names []string, cfg OpenConfig) (*Inputs, error) {
	in := &Inputs{Names: names, Paths: make([]string, len(names))}
	var keys *openKeys
	for i, name := range names {
		sealed, err := envelope.IsSealed(name)
		if err != nil {
			return nil, errors.Join(err, in.Close())
		}
		if !sealed {
			if err := completeSet(name); err != nil {
				return nil, errors.Join(err, in.Close())
			}
			in.Paths[i] = name
			continue
		}
		if keys == nil {
			if keys, err = loadOpenKeys(name, cfg); err != nil {
				return nil, errors.Join(err, in.Close())
			}
		}
		if in.Paths[i], err = in.open(name, keys, cfg.TempDir); err != nil {
			return nil, errors.Join(err, in.Close())
		}
	}
	return in, nil
}

// openKeys are the keys that open sealed files.
type openKeys struct {
	me    *identity.Private
	trust *identity.Keyring
}

// loadOpenKeys loads the keys of cfg, needed because name is sealed. The
// trusted keys are those of cfg.Trust, or else of cfg.District.
func loadOpenKeys(name string, cfg OpenConfig) (*openKeys, error) {
	var districtTrust *identity.Keyring
	if cfg.Trust == "" && cfg.District != nil {
		var err error
		if districtTrust, err = districtKeys(cfg.District); err != nil {
			return nil, err
		}
	}
	switch {
	case cfg.Key == "" && cfg.Trust == "" && districtTrust == nil:
		return nil, base.Usagef("%s is sealed: give --key (this linkage unit's private key) and --trust (a directory of the partners' public keys), or list the partners' public keys in the district file", name)
	case cfg.Key == "":
		return nil, base.Usagef("%s is sealed: give --key (this linkage unit's private key)", name)
	case cfg.Trust == "" && districtTrust == nil:
		return nil, base.Usagef("--key and --trust go together (or list the partners' public keys in the district file)")
	}
	me, err := identity.LoadPrivate(cfg.Key)
	if err != nil {
		return nil, err
	}
	if districtTrust != nil {
		return &openKeys{me: me, trust: districtTrust}, nil
	}
	trust, err := envelope.LoadTrustStore(cfg.Trust)
	if err != nil {
		return nil, err
	}
	return &openKeys{me: me, trust: trust}, nil
}

// completeSet finishes the set of files of path if the run that wrote it
// was killed while renaming them into place (atomicfile.Set: its journal
// is beside path), so that path is read together with its own rejects
// file and reports; it refuses path when that cannot be done.
func completeSet(path string) error {
	if !atomicfile.Incomplete(path) {
		return nil
	}
	if _, err := atomicfile.Recover(path); err != nil {
		return base.Invalidf("%s: the run that wrote it was interrupted before all its files were in place, and they cannot be completed here (%v): run that command again", path, err)
	}
	return nil
}

// Partners reads the partner names from the inputs' footers, in order.
func (in *Inputs) Partners() ([]string, error) {
	var out []string
	for i, p := range in.Paths {
		meta, _, err := encfile.ReadMeta(p)
		if err != nil {
			if p != in.Names[i] {
				err = fmt.Errorf("%s (sealed): %w", in.Names[i], err)
			}
			return nil, err
		}
		out = append(out, meta.Partner)
	}
	return out, nil
}

// open opens the sealed file name into a temporary file and checks that
// its signer is the partner the encoded file names.
func (in *Inputs) open(name string, keys *openKeys, dir string) (string, error) {
	plain, h, err := envelope.OpenTemp(name, dir, keys.me, keys.trust)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	in.temps = append(in.temps, plain)
	meta, _, err := encfile.ReadMeta(plain)
	if err != nil {
		return "", fmt.Errorf("%s (sealed): %w", name, err)
	}
	if err := h.CheckSender(meta.Partner); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return plain, nil
}

// Close removes the temporary files of the opened sealed inputs.
func (in *Inputs) Close() error {
	var errs []error
	for _, t := range in.temps {
		if err := os.Remove(t); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	in.temps = nil
	return errors.Join(errs...)
}

// Read reads input i into memory. Errors name the file as given.
func (in *Inputs) Read(ctx context.Context, i int) (*encoding.Dataset, error) {
	d, err := encfile.Read(ctx, in.Paths[i])
	if err != nil && in.Paths[i] != in.Names[i] {
		err = fmt.Errorf("%s (sealed): %w", in.Names[i], err)
	}
	return d, err
}

// ReadAll reads every input, logs each one's partner and size, and
// reports the files read as the stage "reading encoded files".
func (in *Inputs) ReadAll(ctx context.Context, log *slog.Logger, progress ProgressFunc) ([]*encoding.Dataset, error) {
	ds, _, _, err := in.readAll(ctx, log, progress, keepNothing)
	return ds, err
}

// ReadAllBytes is ReadAll that also returns the bytes of each file read
// (the opened file for a sealed input), from which its dataset was
// decoded: a caller that stores the encodings (the linkage state) writes
// them as they are instead of encoding them again. A file's bytes are nil
// when it holds columns the dataset does not (see encfile.ReadBytes).
func (in *Inputs) ReadAllBytes(ctx context.Context, log *slog.Logger, progress ProgressFunc) ([]*encoding.Dataset, [][]byte, error) {
	ds, raw, _, err := in.readAll(ctx, log, progress, keepBytes)
	return ds, raw, err
}

// Source is where a dataset was decoded from: the file read (for a sealed
// input, the opened temporary file, which lasts until Close) and the size
// and SHA-256 of the bytes decoded. A caller that stores the file as it
// was read (the linkage state) copies it from Path when it still has this
// sum, instead of holding its bytes in memory meanwhile. Path is empty
// when the file holds columns the dataset does not (see
// encfile.ReadBytes).
type Source struct {
	Path   string
	Size   int64
	SHA256 [sha256.Size]byte
}

// ReadAllSources is ReadAll that also returns the Source of each dataset:
// ReadAllBytes without keeping the bytes (an encoded file is about 0.6 of
// its dataset's size in memory).
func (in *Inputs) ReadAllSources(ctx context.Context, log *slog.Logger, progress ProgressFunc) ([]*encoding.Dataset, []Source, error) {
	ds, _, srcs, err := in.readAll(ctx, log, progress, keepSources)
	return ds, srcs, err
}

// What readAll keeps of the files it reads.
const (
	keepNothing = iota
	keepBytes
	keepSources
)

// readAll reads and decodes the inputs on up to GOMAXPROCS goroutines,
// then checks, logs and reports them in order.
func (in *Inputs) readAll(ctx context.Context, log *slog.Logger, progress ProgressFunc, keep int) ([]*encoding.Dataset, [][]byte, []Source, error) {
	n := len(in.Paths)
	ds := make([]*encoding.Dataset, n)
	errs := make([]error, n)
	var raw [][]byte
	var srcs []Source
	switch keep {
	case keepBytes:
		raw = make([][]byte, n)
	case keepSources:
		srcs = make([]Source, n)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(n, runtime.GOMAXPROCS(0))) {
		wg.Go(func() {
			for i := range next {
				switch keep {
				case keepBytes:
					ds[i], raw[i], errs[i] = in.readBytes(ctx, i)
				case keepSources:
					var data []byte
					if ds[i], data, errs[i] = in.readBytes(ctx, i); data != nil {
						srcs[i] = Source{Path: in.Paths[i], Size: int64(len(data)), SHA256: sha256.Sum256(data)}
					}
				default:
					ds[i], errs[i] = in.Read(ctx, i)
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, d := range ds {
		if errs[i] != nil {
			return nil, nil, nil, errs[i]
		}
		if first, repeat, dup := encoding.DuplicateID(d.RecordIDs); dup {
			return nil, nil, nil, base.Invalidf("%s: partner %q: encoded records %d and %d have the same record id "+
				"(the file was encoded without the duplicate check of swd encode): re-encode the export", in.Names[i], d.Meta.Partner, first+1, repeat+1)
		}
		progress.report("reading encoded files", int64(i+1), int64(len(ds)))
		orDiscard(log).Info("read", "file", in.Names[i], "partner", d.Meta.Partner, "records", d.Len())
	}
	return ds, raw, srcs, nil
}

// readBytes reads input i into memory, whole, and decodes it. Errors name
// the file as given.
func (in *Inputs) readBytes(ctx context.Context, i int) (*encoding.Dataset, []byte, error) {
	data, err := os.ReadFile(in.Paths[i])
	var d *encoding.Dataset
	if err != nil {
		err = base.Mark(err, base.ErrInvalidInput) // as encfile.Read marks it
	} else {
		var whole bool
		if d, whole, err = encfile.ReadBytes(ctx, in.Paths[i], data); !whole {
			data = nil
		}
	}
	if err != nil && in.Paths[i] != in.Names[i] {
		err = fmt.Errorf("%s (sealed): %w", in.Names[i], err)
	}
	return d, data, err
}
