package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/io/envelope"
	"github.com/welfare-district/swd/linkage/encoding"
)

// encodedPath is where the encoder writes: the output itself, or with
// --seal-to an unsealed file beside it that is sealed into the output and
// removed.
func (o *EncodeOptions) encodedPath() string {
	if o.plain != "" {
		return o.plain
	}
	return o.Out
}

// loadSealKeys reads the keys of --seal-to and --sign-with before any work
// is done, and returns the function that seals the encoded file into the
// output (a no-op without --seal-to).
func loadSealKeys(opts *EncodeOptions) (func(partner string) error, error) {
	if opts.SealTo == "" {
		return func(string) error { return nil }, nil
	}
	to, err := identity.LoadPublic(opts.SealTo)
	if err != nil {
		return nil, err
	}
	signer, err := identity.LoadPrivate(opts.SignWith)
	if err != nil {
		return nil, err
	}
	dir, base := filepath.Split(opts.Out)
	opts.plain = filepath.Join(dir, "."+base+".unsealed")
	return func(partner string) error {
		defer os.Remove(opts.plain)
		return envelope.SealFile(opts.Out, opts.plain, to, signer, envelope.Header{
			ContentType: envelope.ContentEncoded, Partner: partner, FileName: filepath.Base(opts.Out)})
	}, nil
}

// SealOptions are the flags for reading sealed inputs.
type SealOptions struct {
	Key   string // this party's private key
	Trust string // directory of the partners' public keys
}

// readEncoded reads an encoded file, opening it first when it is sealed: the
// envelope must be addressed to opts.Key and signed by a key in opts.Trust
// whose name is the partner recorded in the file.
func readEncoded(ctx context.Context, path string, trust *identity.Keyring, me *identity.Private) (*encoding.Dataset, error) {
	sealed, err := envelope.IsSealed(path)
	if err != nil {
		return nil, err
	}
	if !sealed {
		return encfile.Read(ctx, path)
	}
	if me == nil || trust == nil {
		return nil, base.Usagef("%s is sealed: give --key (this linkage unit's private key) and --trust (a directory of the partners' public keys)", path)
	}
	plain, h, err := envelope.OpenTemp(path, "", me, trust)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer os.Remove(plain)
	d, err := encfile.Read(ctx, plain)
	if err != nil {
		return nil, fmt.Errorf("%s (sealed): %w", path, err)
	}
	if err := h.CheckSender(d.Meta.Partner); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
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
