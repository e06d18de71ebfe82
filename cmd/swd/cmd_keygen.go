package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/pipeline"
)

// KeygenOptions are the flags of swd keygen.
type KeygenOptions struct {
	Out string
}

// AddFlags binds the options to fs.
func (o *KeygenOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Out, "out", "", "secret file to create (mode 0600; an existing file is never overwritten)")
}

func newKeygenCommand(g *GlobalOptions) *cobra.Command {
	opts := &KeygenOptions{}
	cmd := &cobra.Command{
		Use:   "keygen --out FILE",
		Short: "Create a 256-bit linkage secret in a file only its owner can read",
		Long: `Create a linkage secret: 32 bytes from the system's random generator, written
as 64 hexadecimal digits in a new file with mode 0600. The partners of a
linkage share one secret (distribute it with 'swd secret share'); the
linkage unit never holds it. Every command that reads a secret refuses a
file that group or others can read.

The key check value printed at the end identifies the secret without
revealing it: partners compare it to be sure they hold the same secret, and
it is written into every encoded file.

` + exitStatusHelp,
		Args: cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if opts.Out == "" {
				return base.Usagef("keygen: --out is required")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runKeygen(cmd.Context(), opts, g, args) },
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runKeygen(_ context.Context, opts *KeygenOptions, g *GlobalOptions, _ []string) error {
	s, err := encoding.GenerateSecret()
	if err != nil {
		return err
	}
	if err := pipeline.WriteSecret(opts.Out, s, false); err != nil {
		return err
	}
	if !g.Quiet {
		fmt.Fprintf(g.Stdout, "wrote secret %s (mode 0600)\nkey check value: %s\n", opts.Out, s.KeyCheck())
	}
	return nil
}
