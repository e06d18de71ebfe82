package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
)

func newKeysCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Create and inspect identities (sealing and signing key pairs)",
		Long: `Every party of a linkage (each partner, the linkage unit, each key
custodian) has one identity: an HPKE key pair for the X-Wing KEM
(X25519 + ML-KEM-768), to which files are sealed, and a hybrid signing key
pair (Ed25519 + ML-DSA-65), with which it signs what it sends.

  swd keys new --out caritas      writes caritas.key (0600) and caritas.pub
  swd keys show caritas.pub       prints the name and the key id

Send the .pub file to the other parties and compare the key id over a
second channel (phone, in person): that comparison is what makes the key
trustworthy. Keep the .key file secret. See docs/threat-model.md.

` + exitStatusHelp,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newKeysNewCommand(g), newKeysShowCommand(g))
	return cmd
}

// KeysNewOptions are the flags of swd keys new.
type KeysNewOptions struct {
	Out   string
	Name  string
	Force bool
}

// AddFlags binds the options to fs.
func (o *KeysNewOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Out, "out", "", "path prefix of the key files: writes PREFIX.key and PREFIX.pub")
	fs.StringVar(&o.Name, "name", "", "name of the identity, e.g. the partner name (default: base name of --out)")
	fs.BoolVar(&o.Force, "force", false, "overwrite existing key files")
}

func (o *KeysNewOptions) validate() error {
	if o.Out == "" {
		return base.Usagef("--out is required")
	}
	o.Out = strings.TrimSuffix(strings.TrimSuffix(o.Out, ".key"), ".pub")
	if o.Name == "" {
		o.Name = filepath.Base(o.Out)
	}
	if !identity.ValidName(o.Name) {
		return base.Usagef("--name %q: use 1-64 letters, digits, '.', '_' or '-'", o.Name)
	}
	return nil
}

func newKeysNewCommand(g *GlobalOptions) *cobra.Command {
	opts := &KeysNewOptions{}
	cmd := &cobra.Command{
		Use:   "new --out PREFIX [--name NAME]",
		Short: "Create an identity: PREFIX.key (secret, 0600) and PREFIX.pub",
		Long: `Create a new identity and write PREFIX.key (the private key, mode 0600)
and PREFIX.pub (the public key, to share), both as PEM text with the
version, the name and the key id in clear. Prints the key id.

` + exitStatusHelp,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return opts.validate() },
		RunE: func(cmd *cobra.Command, args []string) error {
			return runKeysNew(cmd.Context(), opts, g, args)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runKeysNew(_ context.Context, opts *KeysNewOptions, g *GlobalOptions, _ []string) error {
	k, err := identity.Generate(opts.Name, nil)
	if err != nil {
		return err
	}
	keyPath, pubPath, err := identity.WritePair(opts.Out, k, opts.Force)
	if err != nil {
		return err
	}
	g.Logger.Info("identity created", "name", k.Name, "key_id", k.ID().String(), "private", keyPath, "public", pubPath)
	fmt.Fprintf(g.Stdout, "%s  %s\n", k.ID(), k.Name)
	return nil
}

// KeysShowOptions are the flags of swd keys show.
type KeysShowOptions struct{}

// AddFlags binds the options to fs.
func (o *KeysShowOptions) AddFlags(*pflag.FlagSet) {}

func newKeysShowCommand(g *GlobalOptions) *cobra.Command {
	opts := &KeysShowOptions{}
	cmd := &cobra.Command{
		Use:   "show FILE...",
		Short: "Print the key id and name of key files (.pub or .key)",
		Long: `Print, for each key file, its key id, name and kind:

  1f0c2a9e:5d7b1c44:9a3e0f12:77c4b8d0  caritas  public  caritas.pub

The key id is a fingerprint (SHA-256) of the name and the public keys:
compare it with the owner's over a second channel before trusting a .pub.
A .key file must be readable by its owner only.

` + exitStatusHelp,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runKeysShow(cmd.Context(), opts, g, args)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runKeysShow(_ context.Context, _ *KeysShowOptions, g *GlobalOptions, args []string) error {
	for _, path := range args {
		pub, kind, err := loadAnyKey(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.Stdout, "%s  %s  %s  %s\n", pub.ID(), pub.Name, kind, path)
	}
	return nil
}

// loadAnyKey reads a public or a private key file.
func loadAnyKey(path string) (*identity.Public, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", base.Usagef("%v", err)
	}
	if bytes.Contains(data, []byte(identity.PrivatePEMType)) {
		k, err := identity.LoadPrivate(path)
		if err != nil {
			return nil, "", err
		}
		return k.Public, "private", nil
	}
	p, err := identity.LoadPublic(path)
	if err != nil {
		return nil, "", err
	}
	return p, "public", nil
}
