package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/pipeline"
	"github.com/welfare-district/swd/pipeline/state"
	"github.com/welfare-district/swd/taxonomy"
)

// PublishOptions are the flags of swd publish.
type PublishOptions struct {
	pipeline.ReleaseFlags
	Links        string
	Ledger       string
	Out          string
	Maps         []string
	DistrictAttr string
	NeedsAttr    string
	Title        string
	DryRun       bool
	JSON         bool
	State        string
	Period       string
	Seal         SealOptions

	params  dp.Params
	public  taxonomy.PublicServices
	unknown taxonomy.UnknownPolicy
	maps    map[string]*taxonomy.CodeMap
}

// AddFlags binds the options to fs.
func (o *PublishOptions) AddFlags(fs *pflag.FlagSet) {
	o.ReleaseFlags.Bind(fs)
	fs.StringVar(&o.Links, "links", "", "links file from swd link (Parquet, or CSV)")
	fs.StringVar(&o.Ledger, "ledger", "", "the dataset's privacy-budget ledger, created once with 'swd budget init' (a release never creates one)")
	fs.StringVar(&o.Out, "out", "", "output directory of the release (must not exist, or be empty)")
	fs.StringArrayVar(&o.Maps, "map", nil, "code map YAML of a partner, as partner=FILE or FILE (repeatable; replaces the embedded map)")
	fs.StringVar(&o.DistrictAttr, "district-attr", pipeline.DefaultDistrictAttr, "attribute of the encoded files holding the district")
	fs.StringVar(&o.NeedsAttr, "needs-attr", pipeline.DefaultNeedsAttr, "attribute of the encoded files holding the ';'-separated need codes")
	fs.StringVar(&o.Title, "title", "", "title of the report")
	o.Seal.AddFlags(fs)
	fs.Lookup("key").Usage = "this linkage unit's private key (swd keys new): signs the entries of a signed ledger, and opens sealed inputs"
	fs.BoolVar(&o.DryRun, "dry-run", false, "check the inputs and the budget and print the cost; write nothing")
	fs.BoolVar(&o.JSON, "json", false, "print the summary as JSON")
	fs.StringVar(&o.State, "state", "", "release a period of a linkage state (swd link --state) instead of a links file: its tables and the flows since the period before (no --links, no encoded files)")
	fs.StringVar(&o.Period, "period", "", "with --state: the period released (YYYY-MM; default: the state's last, the only one it holds)")
}

func (o *PublishOptions) validate(args []string) error {
	switch {
	case o.State != "" && (o.Links != "" || len(args) > 0):
		return base.Usagef("--state holds the links and the encodings: give neither --links nor encoded files")
	case o.State == "" && o.Period != "":
		return base.Usagef("--period needs --state")
	case o.Links == "" && o.State == "":
		return base.Usagef("--links (or --state) is required")
	case o.Ledger == "":
		return base.Usagef("--ledger is required")
	case o.Out == "":
		return base.Usagef("--out is required")
	case !(o.Epsilon > 0):
		return base.Usagef("--epsilon is required and must be positive")
	case len(args) == 0 && o.State == "":
		return base.Usagef("give the encoded files the links were made from")
	case o.DistrictAttr == "" || o.NeedsAttr == "":
		return base.Usagef("--district-attr and --needs-attr must not be empty")
	}
	rel, err := o.ReleaseFlags.Parse()
	if err != nil {
		return err
	}
	o.params, o.public, o.unknown = rel.Params, rel.Public, rel.Unknown
	return o.loadMaps()
}

// loadMaps reads the --map files; each replaces its partner's embedded map.
func (o *PublishOptions) loadMaps() error {
	o.maps = map[string]*taxonomy.CodeMap{}
	for _, spec := range o.Maps {
		partner, file, named := strings.Cut(spec, "=")
		if !named {
			partner, file = "", spec
		}
		m, err := taxonomy.LoadCodeMap(file)
		if err != nil {
			if errors.Is(err, base.ErrInvalidInput) {
				return fmt.Errorf("--map %s: %w", file, err)
			}
			return base.Usagef("--map %s: %v", file, err)
		}
		if partner != "" && m.Partner != partner {
			return base.Usagef("--map %s is the map of partner %q, not %q", file, m.Partner, partner)
		}
		if o.maps[m.Partner] != nil {
			return base.Usagef("--map given twice for partner %q", m.Partner)
		}
		o.maps[m.Partner] = m
	}
	return nil
}

func newPublishCommand(g *GlobalOptions) *cobra.Command {
	opts := &PublishOptions{}
	cmd := &cobra.Command{
		Use:   "publish --links LINKS --epsilon E --ledger FILE --out DIR P1.swd.parquet [P2.swd.parquet ...]",
		Short: "Publish differentially private household statistics from a linkage",
		Long: `Turn a linkage into tables that are safe to publish.

Which partners are public services and which the third sector comes from
the district file (--district; 'swd district init' writes an example): a
partner it does not name is refused (exit status 3). --public-services
overrides its roles; without a district file it is required: publish does
not guess roles from partner names. Households without a district, or
with one outside the territory, are released as their own noisy row,
"district unknown", so that the district rows add up to the total.

The links file (from swd link) and the encoded files it was made from are
joined record by record (every link must name a record and every record must
have a link). Each household gets its district (the most frequent among its
records; ties go to public services, then to the lowest code), the union of
its canonical needs (each partner's local codes translated by its code map)
and the partners that know it. Then one differentially private release is
made of: households by district × need, by district, by number of partners
that know them, the "missing middle" (known to the third sector and to no
public service) by district, and totals — each value with a confidence
interval — as CSV and Parquet tables, release.json and a self-contained
report.html in --out.

What ε means: every released number is the true count plus random noise,
calibrated so that the release looks almost the same whether or not any one
household is in the data: adding or removing a household changes the
probability of any outcome by at most a factor e^ε. A smaller ε gives more
privacy and more noise. Every release spends its ε from the dataset's total
budget in the ledger, for good: a release that would exceed it is refused
(exit status 4) before anything is computed or written. 'swd budget show'
says what is spent and left; --dry-run prints what this release would cost.
An ε above 10 is allowed, but the numbers are then close to the exact
counts and protect little: the summary and the report say so.

The unit of privacy is the linked household: the household as the linkage
formed it. A true household that the linkage splits into k linked households
counts k times and is protected only at k·ε; a true household merged with
another into one linked household is protected at 2·ε (removing it changes
that linked household). swd link estimates how often this happens (its
report and the links file); release.json and the report carry those
estimates and the ε of a household split in 2, 3, … parts. --group-privacy
K charges the ledger K·ε (and δ grows to K·e^((K−1)ε)·δ) while the noise
stays that of ε, so that the dataset's budget also bounds what a true
household split in up to K parts (or, for K ≥ 2, merged) can lose.

The ledger must exist: 'swd budget init' creates it, once per dataset; a
missing or mistyped --ledger is refused (exit status 2). Before reserving,
the release verifies the ledger's hash chain, its head file (LEDGER.head:
removed entries are detected) and, for a ledger created with --key, the
signatures: a damaged, truncated or edited ledger is refused (exit status
5), never repaired. The first release binds the ledger to its dataset (the
key check value, schema fingerprint and partners of the encoded files); a
release from other files is refused (exit status 5). A signed ledger needs
--key with the linkage unit's key. release.json records the ledger's head
after the release: 'swd budget verify --release DIR' checks it later.

Only noisy numbers are written into the release. The summary and the log
give exact counts of the input (households, records, unknown need codes):
they are for the linkage unit, which holds the links anyway, not for
publication. No record's data is ever shown.

  swd budget init --ledger padova.ledger --total 3 --key unit.key   # once
  swd publish --links links.parquet --district district.yaml --epsilon 1 \
      --ledger padova.ledger --key unit.key --out release/ encoded/*.swd.parquet

With --state DIR (a linkage state, swd link --state) the state gives the
links and the encodings of its last period: no --links and no encoded
files. After the state's first period the release adds the flows since
the period before, by district, each with its interval: households new
this period (flow_new), closed this period (flow_closed), and "missing
middle" households intercepted (flow_intercepted: known only to the third
sector the period before, to a public service now). A household has at
most one flow per period: it counts once in one cell of each flow table.
The default split then gives the flow tables 40% of ε (flow_intercepted
20%). Release each period after its link run, before the next: the state
holds its last period only. The ledger is bound to the state's dataset, so
the releases of every period spend one budget. Each release keeps its
tables in the state (DIR/releases/), and the report of the next shows every
series over all the periods released, with intervals.

  swd publish --state state/ --period 2026-02 --epsilon 1 \
      --district district.yaml --ledger padova.ledger --key unit.key \
      --out release-2026-02/

` + exitStatusHelp,
		Args:    cobra.ArbitraryArgs,
		PreRunE: func(_ *cobra.Command, args []string) error { return opts.validate(args) },
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPublish(cmd.Context(), opts, g, args)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runPublish(ctx context.Context, opts *PublishOptions, g *GlobalOptions, args []string) error {
	district, err := loadDistrictFlag(opts.District)
	if err != nil {
		return err
	}
	bars := newStageBars(g)
	cfg := pipeline.PublishConfig{
		Links: opts.Links, Inputs: args, Open: opts.Seal.config(), Params: opts.params, District: district,
		Households: pipeline.HouseholdConfig{DistrictAttr: opts.DistrictAttr, NeedsAttr: opts.NeedsAttr,
			Maps: opts.maps, Unknown: opts.unknown, Public: opts.public},
		Ledger: opts.Ledger, LedgerKey: opts.Seal.Key, Out: opts.Out, Title: opts.Title, DryRun: opts.DryRun,
		Logger: g.Logger, Progress: bars.update,
	}
	var res *pipeline.PublishResult
	if opts.State != "" {
		if opts.Split == "" {
			cfg.Params.Split = nil // the state's default: with the flow tables
		}
		res, err = state.Publish(ctx, state.PublishConfig{Dir: opts.State, Period: opts.Period, Publish: cfg})
	} else {
		res, err = pipeline.Publish(ctx, cfg)
	}
	bars.finish()
	if err != nil {
		return err
	}
	return printPublish(g.Stdout, opts.JSON, g.Quiet, res)
}

func printPublish(w io.Writer, asJSON, quiet bool, s *pipeline.PublishResult) error {
	if asJSON {
		return writeJSON(w, s)
	}
	if quiet {
		return nil
	}
	st := s.Households
	fmt.Fprintf(w, "households: %d from %s of %s (%d without district, %s)\n",
		st.Households, plural(st.Records, "record", "records"), plural(len(st.Partners), "partner", "partners"), st.NoDistrict,
		plural(st.UnknownCodes(), "unknown need code", "unknown need codes"))
	if n := st.NoDistrict + st.OutsideTerritory; n > 0 {
		verb := "are"
		if n == 1 {
			verb = "is"
		}
		fmt.Fprintf(w, "  %s without a district (or outside the territory) %s released as the row \"district unknown\"\n",
			plural(n, "household", "households"), verb)
	}
	if s.DryRun {
		fmt.Fprintf(w, "dry run: this release would spend ε = %g, δ = %g%s\n", s.Cost.Epsilon, s.Cost.Delta, groupNote(s.GroupPrivacy))
		printWarning(w, s.Warning)
		fmt.Fprintf(w, "budget: total ε = %g (δ = %g); spent ε = %g; left ε = %g (δ = %g)\n",
			s.Total.Epsilon, s.Total.Delta, s.Spent.Epsilon, s.Left.Epsilon, s.Left.Delta)
		fmt.Fprintln(w, "nothing was written")
		fmt.Fprintln(w, "next: run the same command without --dry-run to make the release")
		return nil
	}
	fmt.Fprintf(w, "release %s written to %s\n", s.Release, s.Out)
	fmt.Fprintf(w, "  report:   %s\n  metadata: %s\n  tables:   %s (.csv and .parquet)\n", s.Report, s.Metadata, strings.Join(s.Tables, ", "))
	fmt.Fprintf(w, "budget: this release spent ε = %g, δ = %g; ledger %s: spent ε = %g of %g, left ε = %g (δ left %g)\n",
		s.Cost.Epsilon, s.Cost.Delta, s.Ledger, s.Spent.Epsilon, s.Total.Epsilon, s.Left.Epsilon, s.Left.Delta)
	fmt.Fprintf(w, "ledger head after the release: %s (release.json records the release's own entry)\n", s.LedgerHead)
	fmt.Fprintf(w, "unit of privacy: the linked household%s", groupNote(s.GroupPrivacy))
	if l := s.Linkage; l != nil {
		fmt.Fprintf(w, "; the linkage estimates %.2f%% of households split, %.2f%% merged (see release.json)", 100*l.EstimatedSplitRate, 100*l.EstimatedMergeRate)
	}
	fmt.Fprintln(w)
	printWarning(w, s.Warning)
	fmt.Fprintf(w, "next: read %s, then publish the directory %s (swd budget verify --ledger %s --release %s checks it against the ledger)\n",
		s.Report, s.Out, s.Ledger, s.Out)
	return nil
}

// loadDistrictFlag loads the district file of --district, if given.
func loadDistrictFlag(path string) (*taxonomy.District, error) {
	if path == "" {
		return nil, nil
	}
	return pipeline.LoadDistrict(path)
}

// groupNote says what --group-privacy K > 1 charged for.
func groupNote(k int) string {
	if k <= 1 {
		return ""
	}
	return fmt.Sprintf(" (group privacy %d: %d × the release's ε, for households split in up to %d parts)", k, k, k)
}

// printWarning prints a weak-protection warning, when there is one.
func printWarning(w io.Writer, warning string) {
	if warning != "" {
		fmt.Fprintf(w, "WARNING: %s\n", warning)
	}
}
