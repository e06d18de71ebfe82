package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/pipeline"
	"github.com/welfare-district/swd/taxonomy"
)

func newDistrictCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "district",
		Short: "Write or check the district file (partners, roles, territory, code maps, keys)",
		Long: `The district file (district.yaml) is what the linkage unit knows about its
welfare district: its name and territory, every partner with its role
(public-service or third-sector), its code map and its identity's public
key, and the version of the need taxonomy. 'swd link --district' and
'swd publish --district' read it: publish refuses a partner the file does
not name, because a partner's role decides which households are the
"missing middle". See docs/district.md.

  swd district init [--out district.yaml]
  swd district check district.yaml

` + exitStatusHelp,
	}
	cmd.AddCommand(newDistrictInitCommand(g), newDistrictCheckCommand(g))
	return cmd
}

// DistrictInitOptions are the flags of swd district init.
type DistrictInitOptions struct {
	Out   string
	Force bool
}

// AddFlags binds the options to fs.
func (o *DistrictInitOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Out, "out", "district.yaml", "district file to write")
	fs.BoolVar(&o.Force, "force", false, "overwrite an existing file")
}

func newDistrictInitCommand(g *GlobalOptions) *cobra.Command {
	opts := &DistrictInitOptions{}
	cmd := &cobra.Command{
		Use:   "init [--out district.yaml]",
		Short: "Write a commented example district file to edit",
		Long: `Write a commented district file for Padova's Social Welfare District with
the partners of the demo (comune and ulss6 public services; caritas, acli
and cgil third sector). Edit the partner names to those your partners pass
to 'swd encode --partner', their roles, and the territory; then check it
with 'swd district check'. An existing file is not overwritten unless
--force.

` + exitStatusHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDistrictInit(cmd.Context(), opts, g, args) },
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runDistrictInit(_ context.Context, opts *DistrictInitOptions, g *GlobalOptions, _ []string) error {
	if opts.Out == "" {
		return base.Usagef("district init: --out must not be empty")
	}
	if _, err := os.Stat(opts.Out); err == nil && !opts.Force {
		return base.Usagef("district init: %s exists; give --force to overwrite it", opts.Out)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return base.Usagef("district init: %v", err)
	}
	if err := outDirExists(opts.Out); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(opts.Out, taxonomy.ExampleDistrict(), 0o644); err != nil {
		return err
	}
	if !g.Quiet {
		fmt.Fprintf(g.Stdout, "wrote %s\n", opts.Out)
		fmt.Fprintf(g.Stdout, "next: edit the partners and their roles, then run: swd district check %s\n", opts.Out)
	}
	return nil
}

// outDirExists refuses an output in a directory that does not exist: a
// usage error (exit status 2) with a message that names the directory.
func outDirExists(path string) error {
	if err := atomicfile.CheckDir(path); err != nil {
		return base.Mark(err, base.ErrUsage)
	}
	return nil
}

func newDistrictCheckCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check FILE",
		Short: "Check a district file, its code maps and its public keys",
		Long: `Read a district file and everything it points to (code maps, public keys),
check them, and print the partners with their roles and the territorial
units. A public key must be the identity of the partner it is listed
under (its name).

` + exitStatusHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runDistrictCheck(cmd.Context(), g, args) },
	}
	return cmd
}

func runDistrictCheck(_ context.Context, g *GlobalOptions, args []string) error {
	d, err := pipeline.LoadDistrict(args[0])
	if err != nil {
		return err
	}
	maps, err := d.CodeMaps()
	if err != nil {
		return err
	}
	if g.Quiet {
		return nil
	}
	w := g.Stdout
	fmt.Fprintf(w, "%s: %s (%s), taxonomy %s\n", args[0], d.Name, d.Territory.Name, d.Taxonomy)
	fmt.Fprintf(w, "  territory: %s %s\n", d.Territory.Units, strings.Join(d.Districts(), ", "))
	for _, p := range d.Partners {
		m := "embedded map"
		switch {
		case maps[p.Name] != nil:
			m = "map " + p.CodeMap + " (version " + maps[p.Name].Version + ")"
		case taxonomy.MapFor(p.Name) == nil:
			m = "canonical codes only"
		}
		key := "no public key"
		if p.PublicKey != "" {
			key = "key " + p.PublicKey
		}
		fmt.Fprintf(w, "  %-16s %-15s %s; %s\n", p.Name, p.Role, m, key)
	}
	fmt.Fprintf(w, "next: swd link --district %s … and swd publish --district %s …\n", args[0], args[0])
	return nil
}
