package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/pipeline"
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

func runSecretShare(ctx context.Context, opts *SecretShareOptions, g *GlobalOptions, _ []string) error {
	sealed, err := pipeline.ShareSecret(ctx, pipeline.ShareConfig{Secret: opts.Secret, SignWith: opts.SignWith,
		To: opts.To, Threshold: opts.Shamir, Out: opts.Out})
	for _, s := range sealed {
		g.Logger.Info("sealed", "recipient", s.Recipient, "key_id", s.KeyID, "file", s.File)
		fmt.Fprintln(g.Stdout, s.File)
	}
	return err
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

func runSecretOpen(ctx context.Context, opts *SecretOpenOptions, g *GlobalOptions, _ []string) error {
	res, err := pipeline.OpenSecret(ctx, pipeline.OpenSecretConfig{Key: opts.Key, Trust: opts.Trust,
		In: opts.In, Out: opts.Out, Overwrite: opts.Force})
	if err != nil {
		return err
	}
	g.Logger.Info("opened", "from", res.Sender, "kind", res.Kind(), "file", res.File)
	fmt.Fprintf(g.Stdout, "%s: %s, signed by %s (%s)\n", res.File, res.Kind(), res.Sender, res.SenderID)
	return nil
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

func runSecretCombine(ctx context.Context, opts *SecretCombineOptions, g *GlobalOptions, _ []string) error {
	n, err := pipeline.CombineSecret(ctx, pipeline.CombineConfig{Shares: opts.In, Key: opts.Key, Trust: opts.Trust,
		Out: opts.Out, Overwrite: opts.Force})
	if err != nil {
		return err
	}
	g.Logger.Info("secret recovered", "shares", n, "file", opts.Out)
	return nil
}
