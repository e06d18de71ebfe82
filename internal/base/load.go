package base

import (
	"errors"
	"fmt"
	"io/fs"
)

// LoadFile is the shape of every Load function of swd (schema.Load,
// taxonomy.LoadCodeMap, identity.LoadPublic, …): read the file at path
// with read (os.ReadFile, or keyfile.Read for secrets, which refuses a
// file others can read), then parse its bytes. what says what the file is
// ("schema", "public key"). A read error keeps its marks and says what was
// being read (a file that does not exist is a usage error: its path came
// from the command line); a parse error is prefixed with the path and
// marked ErrInvalidInput.
func LoadFile[T any](path, what string, read func(string) ([]byte, error), parse func([]byte) (T, error)) (T, error) {
	var zero T
	data, err := read(path)
	if err != nil {
		err = fmt.Errorf("reading %s: %w", what, err)
		if errors.Is(err, fs.ErrNotExist) {
			err = Mark(err, ErrUsage)
		}
		return zero, err
	}
	v, err := parse(data)
	if err != nil {
		return zero, Mark(fmt.Errorf("%s: %w", path, err), ErrInvalidInput)
	}
	return v, nil
}
