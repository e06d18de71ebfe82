package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/internal/keyfile"
	"github.com/welfare-district/swd/io/envelope"
)

func newSecretCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secret",
		Short: "Distribute the linkage secret sealed, whole or in Shamir shares",
		Long: `The linkage secret keys every encoding: the partners share it, the linkage
unit must never hold it. These commands move it without it ever
travelling in clear:

  swd keygen --out linkage.secret
  swd secret share --secret linkage.secret --sign-with me.key \
      --to caritas.pub --to acli.pub --out outbox/
  swd secret open --key caritas.key --trust trusted/ \
      --in caritas.secret.swdenv --out linkage.secret

With --shamir T each recipient (a key custodian) gets one share, and any T
shares recover the secret with 'swd secret combine'; fewer reveal nothing.

` + exitStatusHelp,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newSecretShareCommand(g), newSecretOpenCommand(g), newSecretCombineCommand(g))
	return cmd
}

// SecretShareOptions are the flags of swd secret share.
type SecretShareOptions struct {
	Secret   string
	SignWith string
	To       []string
	Shamir   int
	Out      string
}

// AddFlags binds the options to fs.
func (o *SecretShareOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Secret, "secret", "", "linkage secret file (0600)")
	fs.StringVar(&o.SignWith, "sign-with", "", "your private key (.key), to sign the envelopes")
	fs.StringArrayVar(&o.To, "to", nil, "recipient public key (.pub); repeat for each recipient")
	fs.IntVar(&o.Shamir, "shamir", 0, "split into one share per recipient, any T of which recover the secret (0: send it whole)")
	fs.StringVar(&o.Out, "out", "", "output directory (created if missing)")
}

func (o *SecretShareOptions) validate() error {
	switch {
	case o.Secret == "" || o.SignWith == "" || o.Out == "":
		return base.Usagef("--secret, --sign-with and --out are required")
	case len(o.To) == 0:
		return base.Usagef("give at least one --to recipient")
	case o.Shamir != 0 && (o.Shamir < 2 || o.Shamir > len(o.To)):
		return base.Usagef("--shamir %d: need 2 <= T <= number of recipients (%d)", o.Shamir, len(o.To))
	}
	return nil
}

func newSecretShareCommand(g *GlobalOptions) *cobra.Command {
	opts := &SecretShareOptions{}
	cmd := &cobra.Command{
		Use:   "share --secret FILE --sign-with ME.key --to A.pub [--to B.pub ...] [--shamir T] --out DIR",
		Short: "Seal the linkage secret (or one Shamir share of it) to each recipient",
		Long: `Seal the linkage secret to each recipient, one envelope per recipient:
DIR/<name>.secret.swdenv, where <name> is the recipient key's name. With
--shamir T the secret is split T-of-N (N = number of recipients) and each
recipient gets its own share instead: DIR/<name>.share.swdenv.

Envelopes are signed with --sign-with; recipients open them with
'swd secret open', trusting your .pub.

` + exitStatusHelp,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return opts.validate() },
		RunE:    func(cmd *cobra.Command, args []string) error { return runSecretShare(cmd.Context(), opts, g, args) },
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runSecretShare(_ context.Context, opts *SecretShareOptions, g *GlobalOptions, _ []string) error {
	secret, err := keyfile.Read(opts.Secret)
	if err != nil {
		return err
	}
	if len(secret) == 0 || len(secret) > identity.MaxSecretSize {
		return base.Invalidf("%s: a secret must be 1-%d bytes", opts.Secret, identity.MaxSecretSize)
	}
	signer, err := identity.LoadPrivate(opts.SignWith)
	if err != nil {
		return err
	}
	recipients := make([]*identity.Public, len(opts.To))
	names := map[string]string{}
	for i, p := range opts.To {
		if recipients[i], err = identity.LoadPublic(p); err != nil {
			return err
		}
		if prev, dup := names[recipients[i].Name]; dup {
			return base.Usagef("%s and %s are both named %q: one envelope per name", prev, p, recipients[i].Name)
		}
		names[recipients[i].Name] = p
	}
	payloads, ctype, suffix := make([][]byte, len(recipients)), envelope.ContentSecret, ".secret.swdenv"
	if opts.Shamir > 0 {
		shares, err := identity.SplitSecret(secret, opts.Shamir, len(recipients))
		if err != nil {
			return base.Usagef("%v", err)
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
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", opts.Out, err)
	}
	for i, to := range recipients {
		dst := filepath.Join(opts.Out, to.Name+suffix)
		if err := sealBytesTo(dst, payloads[i], to, signer, envelope.Header{ContentType: ctype, FileName: "linkage.secret", Partner: to.Name}); err != nil {
			return err
		}
		g.Logger.Info("sealed", "recipient", to.Name, "key_id", to.ID().String(), "file", dst)
		fmt.Fprintln(g.Stdout, dst)
	}
	return nil
}

func sealBytesTo(dst string, payload []byte, to *identity.Public, signer *identity.Private, h envelope.Header) error {
	var buf bytes.Buffer
	if err := envelope.Seal(&buf, bytes.NewReader(payload), to, signer, h); err != nil {
		return err
	}
	return atomicfile.WriteFile(dst, buf.Bytes(), 0o644)
}

// SecretOpenOptions are the flags of swd secret open.
type SecretOpenOptions struct {
	Key   string
	Trust string
	In    string
	Out   string
	Force bool
}

// AddFlags binds the options to fs.
func (o *SecretOpenOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Key, "key", "", "your private key (.key)")
	fs.StringVar(&o.Trust, "trust", "", "directory of trusted senders' public keys (*.pub)")
	fs.StringVar(&o.In, "in", "", "sealed secret or share (.swdenv)")
	fs.StringVar(&o.Out, "out", "", "file to write the secret or the share to (mode 0600)")
	fs.BoolVar(&o.Force, "force", false, "overwrite an existing file")
}

func newSecretOpenCommand(g *GlobalOptions) *cobra.Command {
	opts := &SecretOpenOptions{}
	cmd := &cobra.Command{
		Use:   "open --key ME.key --trust DIR --in FILE --out SECRET",
		Short: "Open a sealed secret or share addressed to you",
		Long: `Check and open an envelope made by 'swd secret share': it must be sealed
to --key and signed by a key in --trust. Writes the secret (or, for a
Shamir share, the share) to --out with mode 0600, and prints which it was.
A tampered, truncated or mis-addressed file, or an unknown signer, is
refused with exit status 5 and nothing is written.

` + exitStatusHelp,
		Args: cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if opts.Key == "" || opts.Trust == "" || opts.In == "" || opts.Out == "" {
				return base.Usagef("--key, --trust, --in and --out are required")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runSecretOpen(cmd.Context(), opts, g, args) },
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runSecretOpen(_ context.Context, opts *SecretOpenOptions, g *GlobalOptions, _ []string) error {
	me, trust, err := loadKeyAndTrust(opts.Key, opts.Trust)
	if err != nil {
		return err
	}
	payload, h, err := openSealed(opts.In, me, trust)
	if err != nil {
		return err
	}
	kind := "secret"
	switch h.ContentType {
	case envelope.ContentSecret:
	case envelope.ContentSecretShare:
		s, err := identity.ParseShare(payload)
		if err != nil {
			return base.Invalidf("%s: %v", opts.In, err)
		}
		kind = fmt.Sprintf("share %d of %d (any %d recover the secret)", s.Index, s.Count, s.Threshold)
	default:
		return base.Invalidf("%s holds %q, not a secret", opts.In, h.ContentType)
	}
	if err := keyfile.Write(opts.Out, payload, opts.Force); err != nil {
		return err
	}
	g.Logger.Info("opened", "from", h.SenderName, "kind", kind, "file", opts.Out)
	fmt.Fprintf(g.Stdout, "%s: %s, signed by %s (%s)\n", opts.Out, kind, h.SenderName, h.Sender)
	return nil
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

// openSealed opens a small envelope in memory; nothing is returned unless
// every check passed.
func openSealed(path string, me *identity.Private, trust envelope.TrustStore) ([]byte, envelope.Header, error) {
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

// SecretCombineOptions are the flags of swd secret combine.
type SecretCombineOptions struct {
	In    []string
	Key   string
	Trust string
	Out   string
	Force bool
}

// AddFlags binds the options to fs.
func (o *SecretCombineOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringArrayVar(&o.In, "in", nil, "a share: an opened share file (0600) or an envelope sealed to --key; repeat")
	fs.StringVar(&o.Key, "key", "", "your private key, for shares still sealed to you")
	fs.StringVar(&o.Trust, "trust", "", "trusted public keys, for shares still sealed to you")
	fs.StringVar(&o.Out, "out", "", "file to write the recovered secret to (mode 0600)")
	fs.BoolVar(&o.Force, "force", false, "overwrite an existing file")
}

func newSecretCombineCommand(g *GlobalOptions) *cobra.Command {
	opts := &SecretCombineOptions{}
	cmd := &cobra.Command{
		Use:   "combine --in SHARE --in SHARE ... --out SECRET",
		Short: "Recover the secret from T Shamir shares",
		Long: `Recover the linkage secret from at least T shares of one split. Each --in
is either a share opened with 'swd secret open' (a 0600 file) or an
envelope sealed to --key (then --trust is needed too). With more than T
shares, every share is cross-checked. Shares of different splits, repeated
or corrupted shares are refused.

` + exitStatusHelp,
		Args: cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if len(opts.In) < 2 || opts.Out == "" {
				return base.Usagef("give at least two --in shares and --out")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runSecretCombine(cmd.Context(), opts, g, args) },
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runSecretCombine(_ context.Context, opts *SecretCombineOptions, g *GlobalOptions, _ []string) error {
	var (
		me    *identity.Private
		trust *identity.Keyring
	)
	shares := make([]identity.Share, 0, len(opts.In))
	for _, path := range opts.In {
		data, err := readShareFile(path, opts, &me, &trust)
		if err != nil {
			return err
		}
		s, err := identity.ParseShare(data)
		if err != nil {
			return base.Invalidf("%s: %v", path, err)
		}
		shares = append(shares, s)
	}
	secret, err := identity.CombineShares(shares)
	if errors.Is(err, identity.ErrSharesInconsistent) {
		return base.Mark(err, base.ErrIntegrity)
	} else if err != nil {
		return base.Usagef("%v", err)
	}
	if err := keyfile.Write(opts.Out, secret, opts.Force); err != nil {
		return err
	}
	g.Logger.Info("secret recovered", "shares", len(shares), "file", opts.Out)
	return nil
}

func readShareFile(path string, opts *SecretCombineOptions, me **identity.Private, trust **identity.Keyring) ([]byte, error) {
	sealed, err := envelope.IsSealed(path)
	if err != nil {
		return nil, base.Usagef("%v", err)
	}
	if !sealed {
		return keyfile.Read(path)
	}
	if opts.Key == "" || opts.Trust == "" {
		return nil, base.Usagef("%s is sealed: give --key and --trust to open it", path)
	}
	if *me == nil {
		if *me, *trust, err = loadKeyAndTrust(opts.Key, opts.Trust); err != nil {
			return nil, err
		}
	}
	data, h, err := openSealed(path, *me, *trust)
	if err != nil {
		return nil, err
	}
	if h.ContentType != envelope.ContentSecretShare {
		return nil, base.Invalidf("%s holds %q, not a secret share", path, h.ContentType)
	}
	return data, nil
}
