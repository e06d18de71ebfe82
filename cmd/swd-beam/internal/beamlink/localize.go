package beamlink

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
)

// Localize returns a local path holding the file at path: path itself when
// it is local, else a temporary copy read through Beam's filesystems
// (gs://, s3://, …), removed by the returned function. encfile reads local
// files (it needs random access for Parquet's footer and row groups).
func Localize(ctx context.Context, path string) (string, func(), error) {
	if !strings.Contains(path, "://") {
		return path, func() {}, nil
	}
	rc, err := openRead(ctx, path)
	if err != nil {
		return "", nil, err
	}
	defer rc.Close()
	f, err := os.CreateTemp("", "swd-beam-*.parquet")
	if err != nil {
		return "", nil, err
	}
	done := func() { _ = os.Remove(f.Name()) }
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		done()
		return "", nil, err
	}
	if err := f.Close(); err != nil {
		done()
		return "", nil, err
	}
	return f.Name(), done, nil
}

// TempDir makes a fresh directory for a run's intermediate files under
// parent (a local directory, or a prefix of any Beam filesystem that every
// worker can write) and returns it with a function that removes what the
// run left there.
func TempDir(ctx context.Context, parent string) (string, func(), error) {
	if !strings.Contains(parent, "://") {
		dir, err := os.MkdirTemp(parent, ".swd-beam-")
		if err != nil {
			return "", nil, err
		}
		return dir, func() { _ = os.RemoveAll(dir) }, nil
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	dir := strings.TrimSuffix(parent, "/") + "/swd-beam-" + hex.EncodeToString(b[:])
	return dir, func() {
		fs, err := filesystem.New(ctx, dir)
		if err != nil {
			return
		}
		defer fs.Close()
		rm, ok := fs.(filesystem.Remover)
		if !ok {
			return
		}
		files, _ := fs.List(ctx, dir+"/*")
		for _, f := range files {
			_ = rm.Remove(ctx, f)
		}
	}, nil
}
