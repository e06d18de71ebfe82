package pipeline

import (
	"os"
	"path/filepath"

	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/io/envelope"
)

// SealConfig seals an encoded file for the linkage unit (swd encode
// --seal-to, --sign-with): only the holder of the private key of To can
// open it, and OpenInputs checks it was signed by the partner it names.
// Empty: the output is a plain encoded file.
type SealConfig struct {
	To       string // the linkage unit's public key file (.pub)
	SignWith string // this partner's private key file (.key, mode 0600)
}

// sealer seals the encoded file, written unsealed beside the output, into
// the output. A nil sealer leaves the output as it is.
type sealer struct {
	to     *identity.Public
	signer *identity.Private
	out    string
	plain  string
}

// load reads the keys before any work is done; nil without c.To.
func (c SealConfig) load(out string) (*sealer, error) {
	if c.To == "" {
		return nil, nil
	}
	to, err := identity.LoadPublic(c.To)
	if err != nil {
		return nil, err
	}
	signer, err := identity.LoadPrivate(c.SignWith)
	if err != nil {
		return nil, err
	}
	dir, name := filepath.Split(out)
	plain := filepath.Join(dir, "."+name+".unsealed")
	_ = os.Remove(plain) // left by a killed run
	return &sealer{to: to, signer: signer, out: out, plain: plain}, nil
}

// encodedPath is where the encoder writes: the output itself, or the
// unsealed file beside it.
func (s *sealer) encodedPath(out string) string {
	if s == nil {
		return out
	}
	return s.plain
}

// seal seals the unsealed file into dst (the output's staging name; the
// envelope names the output) and removes it.
func (s *sealer) seal(partner, dst string) error {
	if s == nil {
		return nil
	}
	defer os.Remove(s.plain)
	return envelope.SealFile(dst, s.plain, s.to, s.signer, envelope.Header{
		ContentType: envelope.ContentEncoded, Partner: partner, FileName: filepath.Base(s.out)})
}
