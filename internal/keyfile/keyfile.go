// Package keyfile reads and writes secret material (linkage secrets, private
// keys) in files that only their owner may read. A secret file that group or
// others can read is refused, as ssh does for private keys.
package keyfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
)

// Read returns the content of a secret file after checking that it is a
// regular file with no permission bits for group or others. The error never
// contains any of the file's content.
func Read(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, base.Mark(fmt.Errorf("reading secret %s: %w", path, err), base.ErrUsage)
	}
	if err != nil {
		return nil, fmt.Errorf("reading secret %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, base.Invalidf("secret %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, base.Mark(fmt.Errorf("secret %s has permissions %04o: it must be readable by its owner only (chmod 600 %s)",
			path, st.Mode().Perm(), path), base.ErrInsecure)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading secret %s: %w", path, err)
	}
	return b, nil
}

// Write stores secret material atomically with permissions 0600. It refuses
// to overwrite an existing file unless overwrite is set.
func Write(path string, data []byte, overwrite bool) error {
	if !overwrite {
		if _, err := os.Lstat(path); err == nil {
			return base.Usagef("%s already exists; refusing to overwrite a secret", path)
		}
	}
	return atomicfile.WriteFile(path, data, 0o600)
}
