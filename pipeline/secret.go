package pipeline

import (
	"fmt"

	"github.com/welfare-district/swd/internal/keyfile"
	"github.com/welfare-district/swd/linkage/encoding"
)

// WriteSecret stores a linkage secret (encoding.GenerateSecret) in a new
// file readable by its owner only (mode 0600), as swd keygen does. It
// refuses to overwrite an existing file unless overwrite is set.
func WriteSecret(path string, s encoding.Secret, overwrite bool) error {
	txt, err := s.MarshalText()
	if err != nil {
		return err
	}
	return keyfile.Write(path, append(txt, '\n'), overwrite)
}

// ReadSecret reads a linkage secret written by WriteSecret. It refuses a
// file that group or others may read; errors name the file, never its
// content.
func ReadSecret(path string) (encoding.Secret, error) {
	b, err := keyfile.Read(path)
	if err != nil {
		return encoding.Secret{}, err
	}
	s, err := encoding.ParseSecret(b)
	if err != nil {
		return encoding.Secret{}, fmt.Errorf("secret %s: %w", path, err)
	}
	return s, nil
}
