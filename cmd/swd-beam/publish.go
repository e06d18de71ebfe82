package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/pipeline"
	"github.com/welfare-district/swd/taxonomy"

	"github.com/welfare-district/swd/cmd/swd-beam/internal/beamlink"
	"github.com/welfare-district/swd/cmd/swd-beam/internal/beampub"
)

// publishOptions are swd publish's flags that apply to a Beam run.
type publishOptions struct {
	pipeline.ReleaseFlags
	Links        string
	Ledger       string
	Out          string
	DistrictAttr string
	NeedsAttr    string
	Title        string
	DryRun       bool
	JSON         bool
	TempDir      string
	Key          string

	params   dp.Params
	public   taxonomy.PublicServices
	unknown  taxonomy.UnknownPolicy
	district *taxonomy.District
}

func (o *publishOptions) addFlags(fs *flag.FlagSet) {
	o.ReleaseFlags.Bind(fs)
	fs.Lookup("split").Usage = "share of ε per table, as swd publish (needs_sum is not available on Beam)"
	fs.StringVar(&o.Links, "links", "", "links file from swd link or swd-beam link (Parquet)")
	fs.StringVar(&o.Ledger, "ledger", "", "the dataset's privacy-budget ledger (swd budget init creates it)")
	fs.StringVar(&o.Out, "out", "", "output directory of the release (must not exist, or be empty)")
	fs.StringVar(&o.DistrictAttr, "district-attr", "district", "attribute of the encoded files holding the district")
	fs.StringVar(&o.NeedsAttr, "needs-attr", "needs", "attribute of the encoded files holding the ';'-separated need codes")
	fs.StringVar(&o.Title, "title", "", "title of the report")
	fs.BoolVar(&o.DryRun, "dry-run", false, "check the inputs and the budget and print the cost; write nothing")
	fs.BoolVar(&o.JSON, "json", false, "print the summary as JSON")
	fs.StringVar(&o.Key, "key", "", "the linkage unit's private key (swd keys new), which signs a signed ledger's entries")
	fs.StringVar(&o.TempDir, "temp-dir", "", "directory for the pipeline's results, on a filesystem every worker can write (default: beside --out)")
}

func (o *publishOptions) validate(args []string) error {
	switch {
	case o.Links == "":
		return base.Usagef("--links is required")
	case o.Ledger == "":
		return base.Usagef("--ledger is required")
	case o.Out == "":
		return base.Usagef("--out is required")
	case !(o.Epsilon > 0):
		return base.Usagef("--epsilon is required and must be positive")
	case len(args) == 0:
		return base.Usagef("give the encoded files the links were made from")
	}
	rel, err := o.ReleaseFlags.Parse()
	if err != nil {
		return err
	}
	o.params, o.public, o.unknown = rel.Params, rel.Public, rel.Unknown
	return nil
}

// load reads the district file, if any.
func (o *publishOptions) load() error {
	if o.District == "" {
		return nil
	}
	var err error
	o.district, err = pipeline.LoadDistrict(o.District)
	return err
}

func runPublish(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	opts := &publishOptions{}
	fs := newFlagSet("publish", stderr)
	opts.addFlags(fs)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := opts.validate(files); err != nil {
		return base.Mark(err, base.ErrUsage)
	}
	if err := opts.load(); err != nil {
		return err
	}
	return publishFiles(ctx, opts, files, stdout, log)
}

// publishFiles runs swd publish's protocol around two pipelines: a check
// (the join of links and records, the need codes) before any budget is
// touched, then, with the budget reserved, the noisy tables.
func publishFiles(ctx context.Context, opts *publishOptions, files []string, stdout io.Writer, log *slog.Logger) (err error) {
	var pfiles []beampub.File
	var partners []string
	var first encoding.Meta
	for i, path := range files {
		meta, _, _, err := footer(path)
		if err != nil {
			return err
		}
		if slices.Contains(partners, meta.Partner) {
			return base.Invalidf("%s: partner %q's encoded file is given twice", path, meta.Partner)
		}
		if i == 0 {
			first = meta
		} else if meta.SchemaFingerprint != first.SchemaFingerprint || meta.KeyCheck != first.KeyCheck {
			return base.Invalidf("%s: partner %q was encoded with another schema or secret than partner %q", path, meta.Partner, first.Partner)
		}
		abs := path
		if !strings.Contains(path, "://") {
			if abs, err = filepath.Abs(path); err != nil {
				return err
			}
		}
		partners = append(partners, meta.Partner)
		pfiles = append(pfiles, beampub.File{Partner: meta.Partner, Path: abs})
	}
	slices.Sort(partners)
	public, maps := opts.public, map[string]*taxonomy.CodeMap(nil)
	domain := dp.DefaultDomain(partners)
	if d := opts.district; d != nil {
		if err := d.CheckPartners(partners); err != nil {
			return err
		}
		if len(public.Partners) == 0 {
			public = d.PublicServices()
		}
		if maps, err = d.CodeMaps(); err != nil {
			return err
		}
		domain.Districts = d.Districts()
	}
	if !slices.ContainsFunc(partners, public.IsPublic) {
		log.Warn("no partner of this release is a public service: every household counts as known to the third sector only (\"missing middle\")",
			"partners", strings.Join(partners, ","), "public_services", public.String())
	}
	domain.Public = public
	var key *identity.Private
	if opts.Key != "" {
		if key, err = identity.LoadPrivate(opts.Key); err != nil {
			return err
		}
	}
	cfg := dp.PublishConfig{Params: opts.params, Domain: domain, Ledger: opts.Ledger, OutDir: opts.Out, Key: key,
		Binding:     dp.NewBinding(first.KeyCheck, first.SchemaFingerprint, partners),
		CodeVersion: codeVersion(), Title: opts.Title, Logger: log}
	// Refuse an overspending release before reading anything.
	dry := cfg
	dry.DryRun, dry.Logger = true, nil
	pre, err := dp.PublishExternal(ctx, dry, nil)
	if err != nil {
		return err
	}
	links := opts.Links
	if !strings.Contains(links, "://") {
		if links, err = filepath.Abs(links); err != nil {
			return err
		}
	}
	dir := opts.TempDir
	if dir == "" {
		dir = filepath.Dir(filepath.Clean(opts.Out))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	tmp, cleanup, err := beamlink.TempDir(ctx, dir)
	if err != nil {
		return err
	}
	defer cleanup()
	plan := &beampub.Plan{DistrictAttr: opts.DistrictAttr, NeedsAttr: opts.NeedsAttr, Public: public.Partners, Maps: maps,
		Params: opts.params, Domain: domain, OutDir: tmp}
	if err := beampub.NewPlan(links, pfiles, plan); err != nil {
		return err
	}
	sum, err := checkPipeline(ctx, plan, opts, log)
	if err != nil {
		return err
	}
	if opts.DryRun {
		return printPublish(stdout, opts, sum, pre, nil)
	}
	pub, err := dp.PublishExternal(ctx, cfg, func(ctx context.Context, b *dp.Bounder) (*dp.Result, error) {
		p, s := beam.NewPipelineWithRoot()
		if err := beampub.Build(s, plan, true); err != nil {
			return nil, err
		}
		log.Info("running the noisy pipeline")
		if err := beamx.Run(ctx, p); err != nil {
			return nil, fmt.Errorf("the publish pipeline failed: %w", err)
		}
		res := &dp.Result{Params: b.Params()}
		for t, tp := range b.Tables() {
			var noisy map[string]int64
			if err := readJSON(ctx, beampub.TablePath(tmp, t), &noisy); err != nil {
				return nil, err
			}
			tab, err := b.NoisyTable(tp, noisy)
			if err != nil {
				return nil, err
			}
			res.Tables = append(res.Tables, tab)
		}
		return res, nil
	})
	if err != nil {
		return err
	}
	return printPublish(stdout, opts, sum, pre, pub)
}

// checkPipeline joins the links with the records and derives the
// households without noise: a mismatch or an unknown need code (with
// --unknown-codes fail) is refused before the budget is reserved.
func checkPipeline(ctx context.Context, plan *beampub.Plan, opts *publishOptions, log *slog.Logger) (*beampub.Summary, error) {
	p, s := beam.NewPipelineWithRoot()
	if err := beampub.Build(s, plan, false); err != nil {
		return nil, err
	}
	log.Info("running the check pipeline (no noise)")
	if err := beamx.Run(ctx, p); err != nil {
		return nil, fmt.Errorf("the check pipeline failed: %w", err)
	}
	var sum beampub.Summary
	if err := readJSON(ctx, plan.OutDir+"/summary.json", &sum); err != nil {
		return nil, err
	}
	st := sum.Stat
	if st.Unlinked+st.LinksWithoutRecord+st.Repeated > 0 {
		return nil, base.Invalidf("links and encoded files do not match (were the links made from exactly these files?): %d records have no link, %d links name no record, %d records have several links",
			st.Unlinked, st.LinksWithoutRecord, st.Repeated)
	}
	if opts.unknown == taxonomy.UnknownFail {
		var msgs []string
		for _, partner := range slices.Sorted(func(yield func(string) bool) {
			for k := range sum.Unknown {
				if !yield(k) {
					return
				}
			}
		}) {
			msgs = append(msgs, fmt.Sprintf("%s %d", partner, sum.Unknown[partner]))
		}
		if len(msgs) > 0 {
			return nil, base.Invalidf("%w: need codes no code map knows, by partner: %s (check them with swd taxonomy check, or count them as %q with --unknown-codes unclassified)",
				taxonomy.ErrUnknownCode, strings.Join(msgs, ", "), taxonomy.Unclassified)
		}
	}
	log.Info("households", "households", st.Households, "records", st.Records, "without_district", st.NoDistrict,
		"district_ties", st.DistrictTies, "without_needs", st.NoNeeds)
	return &sum, nil
}

func readJSON(ctx context.Context, path string, v any) error {
	b, err := beamlink.ReadFile(ctx, path)
	if err != nil {
		return fmt.Errorf("the pipeline's result: %w", err)
	}
	return json.Unmarshal(b, v)
}

// publishSummary is what swd-beam publish prints (counts of the input and
// the release's budget, never a record's data).
type publishSummary struct {
	DryRun     bool         `json:"dry_run"`
	Release    string       `json:"release,omitempty"`
	Out        string       `json:"out,omitempty"`
	Tables     []string     `json:"tables,omitempty"`
	Ledger     string       `json:"ledger"`
	Cost       dp.Budget    `json:"cost"`
	Households beampub.Stat `json:"households"`
}

func printPublish(w io.Writer, opts *publishOptions, sum *beampub.Summary, pre, pub *dp.Published) error {
	s := publishSummary{DryRun: opts.DryRun, Ledger: opts.Ledger, Cost: pre.Cost, Households: sum.Stat}
	if pub != nil {
		s.Release, s.Out, s.Cost = pub.EntryID, opts.Out, pub.Cost
		for _, t := range pub.Result.Tables {
			s.Tables = append(s.Tables, t.Query)
		}
	}
	if opts.JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	fmt.Fprintf(w, "households: %d from %d records\n", s.Households.Households, s.Households.Records)
	if pub == nil {
		fmt.Fprintf(w, "dry run: this release would spend ε = %g, δ = %g; nothing was written\n", s.Cost.Epsilon, s.Cost.Delta)
		return nil
	}
	fmt.Fprintf(w, "release %s written to %s (tables: %s); it spent ε = %g, δ = %g from ledger %s\n",
		s.Release, s.Out, strings.Join(s.Tables, ", "), s.Cost.Epsilon, s.Cost.Delta, s.Ledger)
	return nil
}
