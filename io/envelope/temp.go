package envelope

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/welfare-district/swd/internal/identity"
)

// OpenTemp opens the envelope src into a new temporary file (mode 0600)
// in dir (os.TempDir() when empty) and returns its path; the caller
// removes it when done. On any failure no file is left behind. It is how
// a reader that needs a path or random access (Parquet) consumes a sealed
// input.
func OpenTemp(src, dir string, me *identity.Private, trust TrustStore) (string, Header, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(src)+".open-*")
	if err != nil {
		return "", Header{}, fmt.Errorf("envelope: %w", err)
	}
	path := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(path)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return "", Header{}, fmt.Errorf("envelope: %w", err)
	}
	in, err := os.Open(src)
	if err != nil {
		return "", Header{}, fmt.Errorf("envelope: %w", err)
	}
	defer in.Close()
	h, err := Open(f, in, me, trust)
	if err != nil {
		return "", Header{}, fmt.Errorf("opening %s: %w", src, err)
	}
	if err := f.Close(); err != nil {
		return "", Header{}, fmt.Errorf("envelope: %w", err)
	}
	ok = true
	return path, h, nil
}

// CheckSender verifies that an opened envelope was signed by the identity
// named partner and declares that partner, so that one partner cannot
// submit a file in another's name. Call it with the partner recorded in
// the payload (e.g. the encoded file's swd.partner). Errors are marked
// swd.ErrIntegrity.
func (h Header) CheckSender(partner string) error {
	if h.SenderName != partner {
		return integrityf("file of partner %q is signed by %q", partner, h.SenderName)
	}
	if h.Partner != "" && h.Partner != partner {
		return integrityf("file of partner %q is declared for partner %q", partner, h.Partner)
	}
	return nil
}
