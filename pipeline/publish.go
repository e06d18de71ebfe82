package pipeline

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/taxonomy"
)

// PublishConfig configures Publish: a links file and the encoded files it
// was made from into one differentially private release.
type PublishConfig struct {
	// Links is the links file (Parquet, or CSV when it ends in .csv).
	Links string
	// Inputs are the encoded files the links were made from; Open opens
	// the sealed ones.
	Inputs []string
	Open   OpenConfig
	// Params are the release's DP parameters (ε, δ, mechanism, split, …).
	Params dp.Params
	// Households says how households get their district and needs; its
	// Public services also decide the "missing middle". Its Public and
	// Maps override the district file's roles and code maps.
	Households HouseholdConfig
	// District is the district file (LoadDistrict): the partners' roles,
	// code maps and public keys, and the territory the tables are broken
	// down by. Publish refuses an encoded file of a partner it does not
	// name; without it, Households.Public must list the public services:
	// Publish does not guess them.
	District *taxonomy.District
	// Ledger is the dataset's privacy-budget ledger. It must exist
	// (dp.InitLedger, swd budget init): a release never creates one.
	Ledger string
	// LedgerKey is the linkage unit's private key file (mode 0600) that
	// signs the ledger's entries (swd publish --key); required for a
	// ledger created with a key.
	LedgerKey string
	// Out is the release directory; it must not exist, or be empty.
	Out string
	// Title is the title of the report.
	Title string
	// Period and History are those of a release over time
	// (dp.PublishConfig): the period released and the tables released for
	// the earlier ones, for the report's trend.
	Period  string
	History []dp.PeriodTables
	// DryRun checks the inputs, the ledger and the budget and returns the
	// cost; it writes nothing.
	DryRun bool
	// CodeVersion is recorded in the release; empty: CodeVersion().
	CodeVersion string
	// Logger receives input counts and warnings (never a record's data);
	// nil: none.
	Logger *slog.Logger
	// Progress is told the encoded files read; nil: nothing.
	Progress ProgressFunc
}

// PublishResult is what swd publish prints (with --json as is). It holds
// counts of the input and the release's budget, never a record's data.
// The household counts are exact: they are for the linkage unit, which
// holds the links anyway, not for publication.
type PublishResult struct {
	DryRun     bool      `json:"dry_run"`
	Release    string    `json:"release,omitempty"`
	Out        string    `json:"out,omitempty"`
	Tables     []string  `json:"tables,omitempty"`
	Files      []string  `json:"files,omitempty"`
	Report     string    `json:"report,omitempty"`
	Metadata   string    `json:"metadata,omitempty"`
	Ledger     string    `json:"ledger"`
	LedgerHead string    `json:"ledger_head,omitempty"` // hash of the ledger's last entry after the release
	Cost       dp.Budget `json:"cost"`
	Total      dp.Budget `json:"total"`
	Spent      dp.Budget `json:"spent"`
	Left       dp.Budget `json:"left"`
	// NewLedger is always false: a release never creates a ledger (kept
	// for scripts that read it).
	NewLedger bool `json:"new_ledger,omitempty"`
	// Warning says plainly when ε is so large that the release protects
	// little (dp.WeakProtection).
	Warning    string `json:"warning,omitempty"`
	Params     string `json:"params"`
	Households *Stats `json:"households"`
	// GroupPrivacy is the k of dp.Params.GroupPrivacy: the ledger was
	// charged k·ε, the guarantee of a household split in up to k parts.
	GroupPrivacy int `json:"group_privacy"`
	// Linkage holds the links file's estimated household split and merge
	// rates (nil when it has none): the unit of privacy is the linked
	// household.
	Linkage *dp.LinkageQuality `json:"linkage,omitempty"`
	// Result is the release's tables (noisy values and intervals).
	Result *dp.Result `json:"-"`
}

// Publish makes one release as swd publish does: before reading any data
// it refuses a missing, damaged or foreign ledger, a release that would
// overspend it (dp.ErrBudgetExhausted) and a non-empty Out; then it joins
// the links to the encoded files (BuildHouseholds) and releases the
// household tables with dp.Publish: CSV and Parquet tables, release.json
// and report.html in Out, and an entry in the ledger, which is bound to
// the dataset of the encoded files (their key check value, schema
// fingerprint and partners).
func Publish(ctx context.Context, cfg PublishConfig) (*PublishResult, error) {
	cfg.setDefaults()
	if err := cfg.checkOutAndRoles(); err != nil {
		return nil, err
	}
	if err := completeSet(cfg.Links); err != nil {
		return nil, err
	}
	open := cfg.Open
	if open.District == nil {
		open.District = cfg.District
	}
	in, err := OpenInputs(cfg.Inputs, open)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	dc, err := cfg.dpConfig(in)
	if err != nil {
		return nil, err
	}
	// Refuse a missing, damaged or foreign ledger, an overspending release
	// (or a non-empty Out) before reading the data; dp.Publish checks again
	// under the ledger's lock.
	pre, err := checkBudget(ctx, dc)
	if err != nil {
		return nil, err
	}
	households, lq, st, err := cfg.buildHouseholds(ctx, in)
	if err != nil {
		return nil, err
	}
	st.countOutside(households, dc.Domain)
	logHouseholds(cfg.Logger, st, households, dc.Domain)
	dc.Linkage = lq
	res := &PublishResult{DryRun: cfg.DryRun, Ledger: cfg.Ledger, Warning: pre.Warning, Params: cfg.Params.String(), Households: &st,
		GroupPrivacy: cfg.Params.Group(), Linkage: lq}
	if cfg.DryRun {
		res.Cost, res.Total, res.Spent, res.Left = pre.Cost, pre.Before.Total, pre.Before.Spent, pre.Before.Left
		return res, nil
	}
	if err := release(ctx, households, dc, res); err != nil {
		return nil, err
	}
	return res, nil
}

// checkOutAndRoles refuses a non-empty output directory and a release
// that knows neither the district file nor the public services: publish
// does not guess roles.
func (c *PublishConfig) checkOutAndRoles() error {
	if err := atomicfile.CheckDir(c.Out); err != nil {
		return outputError(err)
	}
	if c.District == nil && len(c.Households.Public.Partners) == 0 {
		return base.Usagef("publish needs each partner's role, for the \"missing middle\" (households known to the third sector and to no public service): " +
			"give the district file (--district FILE; swd district init writes an example) or list the public services (--public-services LIST)")
	}
	return nil
}

func (c *PublishConfig) setDefaults() {
	c.Params.EnsureDefaults()
	c.Households = c.Households.withDefaults()
	if c.CodeVersion == "" {
		c.CodeVersion = CodeVersion()
	}
	c.Logger = orDiscard(c.Logger)
}

// dpConfig is the dp.Publish configuration of a release of the dataset
// of the inputs.
func (c *PublishConfig) dpConfig(in *Inputs) (dp.PublishConfig, error) {
	binding, err := encodedDataset(in)
	if err != nil {
		return dp.PublishConfig{}, err
	}
	return c.dpConfigFor(binding)
}

// dpConfigFor is the dp.Publish configuration of a release of the dataset
// of binding.
func (c *PublishConfig) dpConfigFor(binding dp.Binding) (dp.PublishConfig, error) {
	key, err := identity.LoadPrivateArg("--key", c.LedgerKey)
	if err != nil {
		return dp.PublishConfig{}, err
	}
	if err := c.applyDistrict(binding.Partners); err != nil {
		return dp.PublishConfig{}, err
	}
	domain := dp.DefaultDomain(binding.Partners)
	domain.Public = c.Households.Public
	if c.District != nil {
		domain.Districts = c.District.Districts()
	}
	return dp.PublishConfig{Params: c.Params, Domain: domain, Ledger: c.Ledger, Binding: binding, Key: key, OutDir: c.Out,
		DryRun: c.DryRun, CodeVersion: c.CodeVersion, Title: c.Title, Period: c.Period, History: c.History, Logger: c.Logger}, nil
}

// applyDistrict takes the partners' roles and code maps from the district
// file, unless Households gives them, and refuses partners the file does
// not name. It warns when no partner of the release is a public service:
// every household would then be "missing middle".
func (c *PublishConfig) applyDistrict(partners []string) error {
	if d := c.District; d != nil {
		if err := d.CheckPartners(partners); err != nil {
			return err
		}
		if len(c.Households.Public.Partners) == 0 {
			c.Households.Public = d.PublicServices()
		}
		maps, err := d.CodeMaps()
		if err != nil {
			return err
		}
		for p, m := range maps {
			if _, given := c.Households.Maps[p]; !given {
				if c.Households.Maps == nil {
					c.Households.Maps = map[string]*taxonomy.CodeMap{}
				}
				c.Households.Maps[p] = m
			}
		}
	}
	if !slices.ContainsFunc(partners, c.Households.Public.IsPublic) {
		c.Logger.Warn("no partner of this release is a public service: every household counts as known to the third sector only (\"missing middle\")",
			"partners", strings.Join(partners, ","), "public_services", c.Households.Public.String())
	}
	return nil
}

// encodedDataset reads the inputs' footers: the dataset they make up (the
// ledger is bound to it), with its partners sorted. The files must be of
// different partners and share one schema and one secret.
func encodedDataset(in *Inputs) (dp.Binding, error) {
	var partners []string
	var first encoding.Meta
	for i, path := range in.Paths {
		meta, _, err := encfile.ReadMeta(path)
		if err != nil {
			return dp.Binding{}, err
		}
		name := in.Names[i]
		if slices.Contains(partners, meta.Partner) {
			return dp.Binding{}, base.Invalidf("%s: partner %q's encoded file is given twice", name, meta.Partner)
		}
		if i == 0 {
			first = meta
		}
		switch {
		case meta.SchemaFingerprint != first.SchemaFingerprint:
			return dp.Binding{}, base.Invalidf("%s: partner %q was encoded with another schema than partner %q", name, meta.Partner, first.Partner)
		case meta.KeyCheck != first.KeyCheck:
			return dp.Binding{}, base.Invalidf("%s: partner %q was encoded with another secret than partner %q", name, meta.Partner, first.Partner)
		}
		partners = append(partners, meta.Partner)
	}
	return dp.NewBinding(first.KeyCheck, first.SchemaFingerprint, partners), nil
}

// checkBudget runs dp.Publish as a dry run: it checks the output
// directory, the ledger (that it exists, verifies and belongs to this
// dataset) and the budget, and returns the cost. A dry run only reads the
// ledger: it creates or repairs nothing.
func checkBudget(ctx context.Context, cfg dp.PublishConfig) (*dp.Published, error) {
	if !cfg.DryRun {
		cfg.Logger = nil // the release itself logs the ledger's warnings
	}
	cfg.DryRun = true
	return dp.Publish(ctx, nil, cfg)
}

// release makes the release and fills res from it and the ledger after.
func release(ctx context.Context, households []dp.Household, cfg dp.PublishConfig, res *PublishResult) error {
	pub, err := dp.Publish(ctx, households, cfg)
	if err != nil {
		return err
	}
	after := pub.After
	res.Result = pub.Result
	res.Release, res.Out, res.Cost, res.LedgerHead = pub.EntryID, cfg.OutDir, pub.Cost, after.Head
	res.Total, res.Spent, res.Left = after.Total, after.Spent, after.Left
	res.Metadata, res.Report = filepath.Join(cfg.OutDir, "release.json"), filepath.Join(cfg.OutDir, "report.html")
	for _, t := range pub.Result.Tables {
		res.Tables = append(res.Tables, t.Query)
		res.Files = append(res.Files, filepath.Join(cfg.OutDir, t.Query+".csv"), filepath.Join(cfg.OutDir, t.Query+".parquet"))
	}
	return nil
}

// buildHouseholds reads the links and the encoded files and joins them;
// it returns the linkage's estimated split and merge rates from the links
// file's run description (nil when it has none).
func (c *PublishConfig) buildHouseholds(ctx context.Context, in *Inputs) ([]dp.Household, *dp.LinkageQuality, Stats, error) {
	links, run, err := linksfile.ReadAny(c.Links)
	if err != nil {
		return nil, nil, Stats{}, err
	}
	c.Logger.Info("read links", "file", c.Links, "records", len(links))
	ds, err := in.ReadAll(ctx, c.Logger, c.Progress)
	if err != nil {
		return nil, nil, Stats{}, err
	}
	hs, st, err := BuildHouseholds(links, ds, c.Households)
	if err != nil {
		logUnknown(c.Logger, st)
		return nil, nil, st, err
	}
	return hs, LinkageQuality(run), st, nil
}

// LinkageQuality is the release's view of the linkage described by run
// (a links file's run description): its estimated household split and
// merge rates, or nil when the run has none.
func LinkageQuality(run *linksfile.Run) *dp.LinkageQuality {
	if run == nil || run.HouseholdErrors == nil {
		return nil
	}
	he := run.HouseholdErrors
	src := "links file (swd link " + run.CodeVersion + "): model estimate"
	if run.Runner != "" {
		src = "links file (" + run.Runner + " " + run.CodeVersion + "): model estimate"
	}
	return &dp.LinkageQuality{Households: he.Households, EstimatedSplitRate: he.SplitRate, EstimatedMergeRate: he.MergeRate, Source: src}
}

// logUnknown logs each partner's unknown need codes (codes only; a value
// that does not look like a code is shown as a placeholder, and values seen
// fewer than taxonomy.MinUnknownCount times as one line, with their number).
func logUnknown(log *slog.Logger, st Stats) {
	for _, p := range st.Partners {
		for _, u := range p.Unknown {
			attrs := []any{"partner", p.Partner, "code", u.Code, "count", u.Count, "map", p.MapVersion}
			if u.Code == taxonomy.RarePlaceholder {
				attrs = append(attrs, "distinct", u.Distinct)
			}
			log.Warn("unknown need code", attrs...)
		}
	}
}

// logHouseholds logs the input counts; they describe the operator's own
// input and are never written into the release.
func logHouseholds(log *slog.Logger, st Stats, hs []dp.Household, d dp.Domain) {
	logUnknown(log, st)
	log.Info("households", "households", st.Households, "records", st.Records, "partners", len(st.Partners),
		"without_district", st.NoDistrict, "outside_territory", st.OutsideTerritory, "district_ties", st.DistrictTies,
		"without_needs", st.NoNeeds, "unknown_codes", st.UnknownCodes())
	if st.OutsideTerritory > 0 {
		log.Warn("households with a district outside the territory are released in the row \"district unknown\"",
			"households", st.OutsideTerritory, "districts", strings.Join(d.Districts, ","))
	}
}
