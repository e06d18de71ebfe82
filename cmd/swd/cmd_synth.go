package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/progress"
	"github.com/welfare-district/swd/linkage/synth"
)

func init() { registerCommand(newSynthCommand) }

// SynthOptions are the flags of swd synth.
type SynthOptions struct {
	Households int
	Partners   []string
	Seed       uint64
	Corruption string
	Out        string

	level synth.Level
}

// AddFlags binds the options to fs.
func (o *SynthOptions) AddFlags(fs *pflag.FlagSet) {
	fs.IntVar(&o.Households, "households", 2000, "number of households to generate")
	fs.StringSliceVar(&o.Partners, "partners", synth.DefaultPartnerNames, "partners, comma-separated (known models: comune, ulss6, caritas, acli, cgil; others get a generic model)")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed: the same seed writes the same bytes")
	fs.StringVar(&o.Corruption, "corruption", "low", "errors in the records: none, low, medium or high")
	fs.StringVar(&o.Out, "out", "", "output directory (created if missing)")
}

func (o *SynthOptions) validate() error {
	if o.Out == "" {
		return base.Usagef("--out is required")
	}
	if o.Households < 1 {
		return base.Usagef("--households must be at least 1")
	}
	if len(o.Partners) == 0 {
		return base.Usagef("--partners must name at least one partner")
	}
	for i, p := range o.Partners {
		o.Partners[i] = strings.TrimSpace(p)
	}
	l, err := synth.ParseLevel(o.Corruption)
	if err != nil {
		return fmt.Errorf("--corruption: %w", err)
	}
	o.level = l
	return nil
}

func newSynthCommand(g *GlobalOptions) *cobra.Command {
	opts := &SynthOptions{}
	cmd := &cobra.Command{
		Use:   "synth --out DIR [--households N] [--partners a,b,c] [--seed S] [--corruption LEVEL]",
		Short: "Generate synthetic partner exports of a welfare district, with ground truth",
		Long: `Generate realistic exports of the partners of a welfare district (Padova's
six quartieri): households of 1–6 people with Italian and foreign names,
valid fiscal codes, birthplaces, addresses, phones and needs, as each
partner would hold them, with the errors real registers contain.

Writes DIR/<partner>.csv for each partner, with the header
  record_id,nucleo_id,codice_fiscale,nome,cognome,sesso,data_nascita,
  comune_nascita,indirizzo,cap,telefono,quartiere,bisogni
and DIR/truth.csv (partner,record_id,person_id,household_id). The same
seed gives byte-identical files; memory stays flat for any --households.
Everyone in the files is fictitious. See docs/synth.md for the model.

` + exitStatusHelp,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return opts.validate() },
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSynth(cmd.Context(), opts, g, args)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runSynth(ctx context.Context, opts *SynthOptions, g *GlobalOptions, _ []string) error {
	cfg := synth.Config{
		Households: opts.Households,
		Partners:   synth.PartnersByName(opts.Partners),
		Seed:       opts.Seed,
		Corruption: opts.level,
	}
	bar := progress.New(g.Stderr, g.Quiet, int64(opts.Households), "synth")
	st, err := synth.Write(ctx, cfg, opts.Out, bar.Add)
	bar.Finish()
	if err != nil {
		return err
	}
	if g.Logger != nil {
		g.Logger.Info("synthetic exports written", "dir", opts.Out, "households", st.Households,
			"persons", st.Persons, "records", st.TotalRecords(), "corruption", opts.level.String(), "seed", opts.Seed)
	}
	if g.Quiet {
		return nil
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "partner\trecords\thouseholds\tshare\n")
	for i, p := range cfg.Partners {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f%%\n", p.Name, st.Records[i], st.KnownTo[i], 100*float64(st.KnownTo[i])/float64(st.Households))
	}
	fmt.Fprintf(tw, "all\t%d\t%d\t\n", st.TotalRecords(), st.Households)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "%d persons; %d households (%.1f%%) known only to third-sector partners\nwritten to %s\n",
		st.Persons, st.OnlyThirdSector, 100*float64(st.OnlyThirdSector)/float64(st.Households), opts.Out)
	return nil
}
