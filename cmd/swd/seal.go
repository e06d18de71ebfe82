package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/io/envelope"
	"github.com/welfare-district/swd/pipeline"
)

// SealOptions are the flags for reading sealed inputs.
type SealOptions struct {
	Key   string // this party's private key
	Trust string // directory of the partners' public keys
}

// openInputs returns the paths to read the encoded files from: a plain
// file as it is, a sealed one opened into a temporary 0600 file. A sealed
// file must be addressed to opts.Key and signed by a key in opts.Trust whose
// name is the partner recorded in the file. cleanup removes the temporary
// files; call it even on error.
func openInputs(paths []string, opts SealOptions) (_ []string, cleanup func(), err error) {
	var temps []string
	cleanup = func() {
		for _, t := range temps {
			_ = os.Remove(t)
		}
	}
	var me *identity.Private
	var trust *identity.Keyring
	out := make([]string, len(paths))
	for i, path := range paths {
		sealed, err := envelope.IsSealed(path)
		if err != nil {
			return nil, cleanup, err
		}
		if !sealed {
			out[i] = path
			continue
		}
		if me == nil {
			if me, trust, err = loadOpenKeys(opts); err != nil {
				return nil, cleanup, err
			}
			if me == nil {
				return nil, cleanup, base.Usagef("%s is sealed: give --key (this linkage unit's private key) and --trust (a directory of the partners' public keys)", path)
			}
		}
		plain, h, err := envelope.OpenTemp(path, "", me, trust)
		if err != nil {
			return nil, cleanup, fmt.Errorf("%s: %w", path, err)
		}
		temps = append(temps, plain)
		meta, _, err := encfile.ReadMeta(plain)
		if err != nil {
			return nil, cleanup, fmt.Errorf("%s (sealed): %w", path, err)
		}
		if err := h.CheckSender(meta.Partner); err != nil {
			return nil, cleanup, fmt.Errorf("%s: %w", path, err)
		}
		out[i] = plain
	}
	return out, cleanup, nil
}

// AddFlags binds the flags for sealed inputs.
func (o *SealOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Key, "key", "", "this linkage unit's private key, to open sealed inputs")
	fs.StringVar(&o.Trust, "trust", "", "directory of the partners' public keys (*.pub): every sealed input must be signed by its partner")
}

func (o *SealOptions) config() pipeline.OpenConfig {
	return pipeline.OpenConfig{Key: o.Key, Trust: o.Trust}
}

// loadOpenKeys loads the private key and trust store of opts, when given.
func loadOpenKeys(opts SealOptions) (*identity.Private, *identity.Keyring, error) {
	if (opts.Key == "") != (opts.Trust == "") {
		return nil, nil, base.Usagef("--key and --trust go together")
	}
	if opts.Key == "" {
		return nil, nil, nil
	}
	me, err := identity.LoadPrivate(opts.Key)
	if err != nil {
		return nil, nil, err
	}
	trust, err := envelope.LoadTrustStore(opts.Trust)
	if err != nil {
		return nil, nil, err
	}
	return me, trust, nil
}
