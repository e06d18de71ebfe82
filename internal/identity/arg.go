package identity

import (
	"errors"
	"os"

	"github.com/welfare-district/swd/internal/base"
)

// LoadPrivateArg loads the private key that the argument arg (a flag such
// as --key) names: nil for an empty path; a file that does not exist is a
// usage error naming arg, a mistyped argument rather than a broken key.
func LoadPrivateArg(arg, path string) (*Private, error) {
	if path == "" {
		return nil, nil
	}
	k, err := LoadPrivate(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, base.Usagef("%s: %v", arg, err)
	}
	return k, err
}
