package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/internal/keyfile"
	"github.com/welfare-district/swd/io/envelope"
)

// Custody of the linkage secret (swd secret share, open, combine): the
// partners' shared secret travels only inside envelopes sealed to one
// recipient and signed by its sender, whole or as Shamir shares held by key
// custodians, any T of whom recover it.

// ShareConfig configures ShareSecret.
type ShareConfig struct {
	Secret    string   // the secret file (mode 0600)
	SignWith  string   // the sender's private key file, which signs every envelope
	To        []string // the recipients' public key files (*.pub), one envelope each
	Threshold int      // T of a T-of-len(To) Shamir split; 0 sends the whole secret to each
	Out       string   // directory of the envelopes (created if missing)
}

// SealedSecret is one envelope written by ShareSecret.
type SealedSecret struct {
	Recipient string // the name in the recipient's public key
	KeyID     string
	File      string
}

// ShareSecret seals the secret, or one Shamir share of it, to each
// recipient: RECIPIENT.secret.swdenv or RECIPIENT.share.swdenv in c.Out.
// Recipients must have distinct names.
func ShareSecret(ctx context.Context, c ShareConfig) ([]SealedSecret, error) {
	secret, err := keyfile.Read(c.Secret)
	if err != nil {
		return nil, err
	}
	if len(secret) == 0 || len(secret) > identity.MaxSecretSize {
		return nil, base.Invalidf("%s: a secret must be 1-%d bytes", c.Secret, identity.MaxSecretSize)
	}
	signer, err := identity.LoadPrivate(c.SignWith)
	if err != nil {
		return nil, err
	}
	recipients := make([]*identity.Public, len(c.To))
	names := map[string]string{}
	for i, p := range c.To {
		if recipients[i], err = identity.LoadPublic(p); err != nil {
			return nil, err
		}
		if prev, dup := names[recipients[i].Name]; dup {
			return nil, base.Usagef("%s and %s are both named %q: one envelope per name", prev, p, recipients[i].Name)
		}
		names[recipients[i].Name] = p
	}
	payloads, ctype, suffix := make([][]byte, len(recipients)), envelope.ContentSecret, ".secret.swdenv"
	if c.Threshold > 0 {
		shares, err := identity.SplitSecret(secret, c.Threshold, len(recipients))
		if err != nil {
			return nil, base.Usagef("%v", err)
		}
		for i := range shares {
			payloads[i] = identity.MarshalShare(shares[i])
		}
		ctype, suffix = envelope.ContentSecretShare, ".share.swdenv"
	} else {
		for i := range payloads {
			payloads[i] = secret
		}
	}
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return nil, base.Usagef("creating %s: %v", c.Out, err)
	}
	out := make([]SealedSecret, 0, len(recipients))
	for i, to := range recipients {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		dst := filepath.Join(c.Out, to.Name+suffix)
		h := envelope.Header{ContentType: ctype, FileName: "linkage.secret", Partner: to.Name}
		if err := sealBytes(dst, payloads[i], to, signer, h); err != nil {
			return out, err
		}
		out = append(out, SealedSecret{Recipient: to.Name, KeyID: to.ID().String(), File: dst})
	}
	return out, nil
}

func sealBytes(dst string, payload []byte, to *identity.Public, signer *identity.Private, h envelope.Header) error {
	var buf bytes.Buffer
	if err := envelope.Seal(&buf, bytes.NewReader(payload), to, signer, h); err != nil {
		return err
	}
	return atomicfile.WriteFile(dst, buf.Bytes(), 0o644)
}

// OpenSecretConfig configures OpenSecret.
type OpenSecretConfig struct {
	Key       string // the recipient's private key file
	Trust     string // directory of the trusted senders' public keys
	In        string // the envelope
	Out       string // where the secret or share goes (mode 0600)
	Overwrite bool
}

// OpenedSecret describes what OpenSecret wrote.
type OpenedSecret struct {
	File     string
	Share    *identity.Share // nil for a whole secret
	Sender   string          // the signer's name
	SenderID string          // the signer's key id
}

// Kind says what was opened: "secret", or "share I of N (any T recover
// the secret)".
func (o *OpenedSecret) Kind() string {
	if o.Share == nil {
		return "secret"
	}
	return fmt.Sprintf("share %d of %d (any %d recover the secret)", o.Share.Index, o.Share.Count, o.Share.Threshold)
}

// OpenSecret checks and opens an envelope written by ShareSecret: it must be
// sealed to c.Key and signed by a key in c.Trust. Nothing is written unless
// every check passes; a tampered, truncated or mis-addressed envelope, or
// an unknown signer, is an integrity error.
func OpenSecret(_ context.Context, c OpenSecretConfig) (*OpenedSecret, error) {
	me, trust, err := loadKeyAndTrust(c.Key, c.Trust)
	if err != nil {
		return nil, err
	}
	payload, h, err := openSmall(c.In, me, trust)
	if err != nil {
		return nil, err
	}
	res := &OpenedSecret{File: c.Out, Sender: h.SenderName, SenderID: h.Sender}
	switch h.ContentType {
	case envelope.ContentSecret:
	case envelope.ContentSecretShare:
		s, err := identity.ParseShare(payload)
		if err != nil {
			return nil, base.Invalidf("%s: %v", c.In, err)
		}
		res.Share = &s
	default:
		return nil, base.Invalidf("%s holds %q, not a secret", c.In, h.ContentType)
	}
	if err := keyfile.Write(c.Out, payload, c.Overwrite); err != nil {
		return nil, err
	}
	return res, nil
}

func loadKeyAndTrust(keyPath, trustDir string) (*identity.Private, *identity.Keyring, error) {
	me, err := identity.LoadPrivate(keyPath)
	if err != nil {
		return nil, nil, err
	}
	trust, err := envelope.LoadTrustStore(trustDir)
	if err != nil {
		return nil, nil, err
	}
	if trust.Len() == 0 {
		return nil, nil, base.Usagef("trust directory %s holds no *.pub file", trustDir)
	}
	return me, trust, nil
}

// openSmall opens a small envelope in memory; nothing is returned unless
// every check passed.
func openSmall(path string, me *identity.Private, trust envelope.TrustStore) ([]byte, envelope.Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, envelope.Header{}, base.Usagef("%v", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	h, err := envelope.Open(&buf, f, me, trust)
	if err != nil {
		return nil, h, fmt.Errorf("%s: %w", path, err)
	}
	return buf.Bytes(), h, nil
}

// CombineConfig configures CombineSecret.
type CombineConfig struct {
	Shares    []string // opened share files (0600), or envelopes sealed to Key
	Key       string   // for shares still sealed: the recipient's private key
	Trust     string   // for shares still sealed: the trusted senders' public keys
	Out       string   // where the recovered secret goes (mode 0600)
	Overwrite bool
}

// CombineSecret recovers the secret from at least T shares of one split and
// writes it to c.Out. With more than T shares every share is cross-checked:
// shares of different splits, repeated or corrupted shares are refused
// (inconsistent shares are an integrity error).
func CombineSecret(ctx context.Context, c CombineConfig) (shares int, err error) {
	var (
		me    *identity.Private
		trust *identity.Keyring
	)
	all := make([]identity.Share, 0, len(c.Shares))
	for _, path := range c.Shares {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		data, err := readShare(path, c, &me, &trust)
		if err != nil {
			return 0, err
		}
		s, err := identity.ParseShare(data)
		if err != nil {
			return 0, base.Invalidf("%s: %v", path, err)
		}
		all = append(all, s)
	}
	secret, err := identity.CombineShares(all)
	if errors.Is(err, identity.ErrSharesInconsistent) {
		return 0, base.Mark(err, base.ErrIntegrity)
	} else if err != nil {
		return 0, base.Usagef("%v", err)
	}
	if err := keyfile.Write(c.Out, secret, c.Overwrite); err != nil {
		return 0, err
	}
	return len(all), nil
}

func readShare(path string, c CombineConfig, me **identity.Private, trust **identity.Keyring) ([]byte, error) {
	sealed, err := envelope.IsSealed(path)
	if err != nil {
		return nil, base.Usagef("%v", err)
	}
	if !sealed {
		return keyfile.Read(path)
	}
	if c.Key == "" || c.Trust == "" {
		return nil, base.Usagef("%s is sealed: give --key and --trust to open it", path)
	}
	if *me == nil {
		if *me, *trust, err = loadKeyAndTrust(c.Key, c.Trust); err != nil {
			return nil, err
		}
	}
	data, h, err := openSmall(path, *me, *trust)
	if err != nil {
		return nil, err
	}
	if h.ContentType != envelope.ContentSecretShare {
		return nil, base.Invalidf("%s holds %q, not a secret share", path, h.ContentType)
	}
	return data, nil
}
