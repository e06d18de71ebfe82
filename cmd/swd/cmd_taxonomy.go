package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/pipeline"
	"github.com/welfare-district/swd/taxonomy"
)

func newTaxonomyCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "taxonomy",
		Short: "Show the canonical needs and territories; check a partner's need codes",
		Long: `The taxonomy is the common language of needs (canonical codes with Italian
and English labels and their ISTAT area of users) and places (Padova's
quartieri and consulte, the province's municipalities). Each partner codes
needs in its own local codes; a code map (YAML) translates them.

  swd taxonomy list [--json]
  swd taxonomy check --partner caritas --in caritas.csv [--map caritas.yaml] [--unknown fail] [--min-count 5]

` + exitStatusHelp,
	}
	cmd.AddCommand(newTaxonomyListCommand(g), newTaxonomyCheckCommand(g))
	return cmd
}

// TaxonomyListOptions are the flags of swd taxonomy list.
type TaxonomyListOptions struct {
	JSON bool
}

// AddFlags binds the options to fs.
func (o *TaxonomyListOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.JSON, "json", false, "print JSON instead of tables")
}

func newTaxonomyListCommand(g *GlobalOptions) *cobra.Command {
	opts := &TaxonomyListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the canonical needs, the territories and the embedded code maps",
		Long: `List the canonical needs (code, labels, ISTAT area of users), Padova's
quartieri and consulte, and the partners with an embedded code map.

` + exitStatusHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTaxonomyList(cmd.Context(), opts, g, args)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

type taxonomyListing struct {
	Version    string                  `json:"version"`
	Needs      []taxonomy.Need         `json:"needs"`
	IstatAreas []taxonomy.IstatArea    `json:"istat_areas"`
	Quartieri  []taxonomy.Quartiere    `json:"quartieri"`
	Consulte   []taxonomy.Consulta     `json:"consulte"`
	Comuni     []taxonomy.Municipality `json:"municipalities"`
	Maps       map[string]codeMapBrief `json:"code_maps"`
	Public     []string                `json:"public_services"`
	Geo        string                  `json:"geo_attribution"`
}

type codeMapBrief struct {
	Version string              `json:"version"`
	Codes   map[string][]string `json:"codes"`
}

func runTaxonomyList(_ context.Context, opts *TaxonomyListOptions, g *GlobalOptions, _ []string) error {
	tax := taxonomy.Default()
	tr := tax.Territories()
	l := taxonomyListing{Version: tax.Version(), Needs: tax.Needs(), IstatAreas: tax.IstatAreas(),
		Quartieri: tr.Quartieri(), Consulte: tr.Consulte(), Comuni: tr.Municipalities(), Maps: map[string]codeMapBrief{},
		Public: taxonomy.DefaultPublicServices().Partners, Geo: taxonomy.GeoAttribution}
	for p, m := range taxonomy.DefaultMaps() {
		l.Maps[p] = codeMapBrief{Version: m.Version, Codes: m.Codes}
	}
	if opts.JSON {
		return writeJSON(g.Stdout, l)
	}
	w := tabwriter.NewWriter(g.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "Needs (taxonomy %s)\nCODE\tISTAT\tITALIANO\tENGLISH\n", l.Version)
	for _, n := range l.Needs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", n.Code, n.IstatArea, n.LabelIT, n.LabelEN)
	}
	fmt.Fprintf(w, "\nQuartieri of %s\nCODE\tNAME\tCONSULTE\n", tr.CityName)
	for _, q := range l.Quartieri {
		fmt.Fprintf(w, "%d\t%s\t%s\n", q.Code, q.Name, strings.Join(q.Consulte, " "))
	}
	fmt.Fprintf(w, "\nConsulte\nCODE\tQUARTIERE\tZONES\n")
	for _, c := range l.Consulte {
		fmt.Fprintf(w, "%s\t%d\t%s\n", c.Code, c.Quartiere, c.Zones)
	}
	fmt.Fprintf(w, "\nMunicipalities (province of Padova): %d, by ISTAT code\n", len(tr.Municipalities()))
	fmt.Fprintf(w, "Embedded code maps: %s (public services: %s)\n", strings.Join(slices.Sorted(maps.Keys(l.Maps)), ", "), strings.Join(l.Public, ", "))
	return w.Flush()
}

// TaxonomyCheckOptions are the flags of swd taxonomy check.
type TaxonomyCheckOptions struct {
	Partner  string
	Map      string
	In       string
	Column   string
	Unknown  string
	MinCount int
	JSON     bool

	policy taxonomy.UnknownPolicy
}

// AddFlags binds the options to fs.
func (o *TaxonomyCheckOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Partner, "partner", "", "partner whose codes to check (its embedded map is used unless --map is given)")
	fs.StringVar(&o.Map, "map", "", "code map YAML file (partner, version, codes: {LOCAL: [canonical, ...]})")
	fs.StringVar(&o.In, "in", "", "partner export (CSV with any usual delimiter, Parquet or Arrow, with a header)")
	fs.StringVar(&o.Column, "column", "bisogni", "column holding ';'-separated need codes")
	fs.StringVar(&o.Unknown, "unknown", "unclassified", "unknown codes: fail (exit 3 when any) or unclassified (report only)")
	fs.IntVar(&o.MinCount, "min-count", taxonomy.MinUnknownCount, fmt.Sprintf("show an unknown code only if it occurs at least this many times (at least %d); rarer ones are aggregated", taxonomy.MinUnknownCountFloor))
	fs.BoolVar(&o.JSON, "json", false, "print the report as JSON")
}

func newTaxonomyCheckCommand(g *GlobalOptions) *cobra.Command {
	opts := &TaxonomyCheckOptions{}
	cmd := &cobra.Command{
		Use:   "check --partner P --in EXPORT.csv [--map FILE] [--column bisogni] [--unknown fail|unclassified] [--min-count N]",
		Short: "Report the need codes of a partner export that no code map knows",
		Long: `Read the need column of a partner export, translate every code with the
partner's code map (canonical codes are always accepted) and report the codes
that are unknown, with their counts. Values that do not look like codes are
counted as "<not a code>" and never printed.

A code is printed only if it occurs at least --min-count times (default ` +
			fmt.Sprint(taxonomy.MinUnknownCount) + `, at
least ` + fmt.Sprint(taxonomy.MinUnknownCountFloor) + `): a rarer value may be personal data typed into the needs column by
mistake (a surname), so the rare values are aggregated into one line,
"<rare values>", with their total count and their number, never shown.

With --unknown fail the command exits with status 3 when any code is unknown.

` + exitStatusHelp,
		Args: cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if opts.Partner == "" && opts.Map == "" {
				return base.Usagef("--partner or --map is required")
			}
			if opts.In == "" {
				return base.Usagef("--in is required")
			}
			p, err := taxonomy.ParseUnknownPolicy(opts.Unknown)
			if err != nil {
				return base.Usagef("--unknown: %v", err)
			}
			opts.policy = p
			if opts.MinCount < taxonomy.MinUnknownCountFloor {
				return base.Usagef("--min-count must be at least %d (a value seen once is never shown), not %d",
					taxonomy.MinUnknownCountFloor, opts.MinCount)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTaxonomyCheck(cmd.Context(), opts, g, args)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runTaxonomyCheck(ctx context.Context, opts *TaxonomyCheckOptions, g *GlobalOptions, _ []string) error {
	rep, err := pipeline.CheckNeeds(ctx, pipeline.NeedsCheckConfig{Partner: opts.Partner, Map: opts.Map,
		In: opts.In, Column: opts.Column, MinCount: opts.MinCount})
	if err != nil {
		return err
	}
	rep.Policy = opts.policy.String()
	if err := printCheckReport(g, opts, rep); err != nil {
		return err
	}
	if rep.Unknown > 0 && opts.policy == taxonomy.UnknownFail {
		return base.Invalidf("%s: %w: %d unknown code occurrence(s) (%d distinct)",
			opts.In, taxonomy.ErrUnknownCode, rep.Unknown, rep.Distinct)
	}
	return nil
}

func printCheckReport(g *GlobalOptions, opts *TaxonomyCheckOptions, rep *pipeline.NeedsCheck) error {
	if opts.JSON {
		return writeJSON(g.Stdout, rep)
	}
	w := tabwriter.NewWriter(g.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "partner %s (map %s): %d rows, %d codes, %d malformed rows\n", rep.Partner, rep.MapVersion, rep.Rows, rep.Codes, rep.BadRows)
	if rep.Unknown == 0 {
		fmt.Fprintln(w, "all codes known")
		return w.Flush()
	}
	fmt.Fprintf(w, "%d unknown code occurrence(s), %d distinct:\nCODE\tCOUNT\n", rep.Unknown, rep.Distinct)
	for _, c := range rep.Counts {
		if c.Code == taxonomy.RarePlaceholder {
			fmt.Fprintf(w, "%s\t%d\t(%d distinct, each seen fewer than %d times)\n", c.Code, c.Count, c.Distinct, rep.MinCount)
			continue
		}
		fmt.Fprintf(w, "%s\t%d\n", c.Code, c.Count)
	}
	return w.Flush()
}
