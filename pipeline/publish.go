package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/io/linksfile"
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
	// Public services also decide the "missing middle".
	Households HouseholdConfig
	// Ledger is the dataset's privacy-budget ledger, created with the
	// default total budget when missing (except by a dry run).
	Ledger string
	// Out is the release directory; it must not exist, or be empty.
	Out string
	// Title is the title of the report.
	Title string
	// DryRun checks the inputs and the budget and returns the cost; it
	// writes nothing and creates no ledger.
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
	Cost       dp.Budget `json:"cost"`
	Total      dp.Budget `json:"total"`
	Spent      dp.Budget `json:"spent"`
	Left       dp.Budget `json:"left"`
	NewLedger  bool      `json:"new_ledger,omitempty"`
	Params     string    `json:"params"`
	Households *Stats    `json:"households"`
}

// Publish makes one release as swd publish does: it refuses a release
// that would overspend the ledger (dp.ErrBudgetExhausted) or a non-empty
// Out before reading any data, joins the links to the encoded files
// (BuildHouseholds), and releases the household tables with dp.Publish:
// CSV and Parquet tables, release.json and report.html in Out, and an
// entry in the ledger.
func Publish(ctx context.Context, cfg PublishConfig) (*PublishResult, error) {
	cfg.setDefaults()
	in, err := OpenInputs(cfg.Inputs, cfg.Open)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	partners, err := in.Partners()
	if err != nil {
		return nil, err
	}
	dc := cfg.dpConfig(partners)
	// Refuse an overspending release (or a non-empty Out) before reading
	// the data; dp.Publish checks again under the ledger's lock.
	pre, err := checkBudget(ctx, dc)
	if err != nil {
		return nil, err
	}
	households, st, err := cfg.buildHouseholds(ctx, in)
	if err != nil {
		return nil, err
	}
	logHouseholds(cfg.Logger, st, households, dc.Domain)
	res := &PublishResult{DryRun: cfg.DryRun, Ledger: cfg.Ledger, NewLedger: pre.NewLedger, Params: cfg.Params.String(), Households: &st}
	if cfg.DryRun {
		res.Cost, res.Total, res.Spent, res.Left = pre.Cost, pre.Before.Total, pre.Before.Spent, pre.Before.Left
		return res, nil
	}
	if err := release(ctx, households, dc, res); err != nil {
		return nil, err
	}
	return res, nil
}

func (c *PublishConfig) setDefaults() {
	c.Params.EnsureDefaults()
	c.Households = c.Households.withDefaults()
	if c.CodeVersion == "" {
		c.CodeVersion = CodeVersion()
	}
	c.Logger = orDiscard(c.Logger)
}

// dpConfig is the dp.Publish configuration of a release over partners.
func (c *PublishConfig) dpConfig(partners []string) dp.PublishConfig {
	domain := dp.DefaultDomain(partners)
	domain.Public = c.Households.Public
	return dp.PublishConfig{Params: c.Params, Domain: domain, Ledger: c.Ledger, OutDir: c.Out, DryRun: c.DryRun,
		CodeVersion: c.CodeVersion, Title: c.Title, Logger: c.Logger}
}

// checkBudget runs dp.Publish as a dry run: it checks the output directory
// and the budget and returns the cost, and whether the ledger does not
// exist yet (the release will create it with the default budget). A dry
// run only reads the ledger: it creates or repairs nothing.
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
	after, err := dp.ReadLedger(ctx, cfg.Ledger)
	if err != nil {
		return fmt.Errorf("release %s written; reading the ledger back: %w", pub.EntryID, err)
	}
	res.Release, res.Out, res.Cost = pub.EntryID, cfg.OutDir, pub.Cost
	res.Total, res.Spent, res.Left = after.Total, after.Spent, after.Left
	res.Metadata, res.Report = filepath.Join(cfg.OutDir, "release.json"), filepath.Join(cfg.OutDir, "report.html")
	for _, t := range pub.Result.Tables {
		res.Tables = append(res.Tables, t.Query)
		res.Files = append(res.Files, filepath.Join(cfg.OutDir, t.Query+".csv"), filepath.Join(cfg.OutDir, t.Query+".parquet"))
	}
	return nil
}

// buildHouseholds reads the links and the encoded files and joins them.
func (c *PublishConfig) buildHouseholds(ctx context.Context, in *Inputs) ([]dp.Household, Stats, error) {
	links, _, err := linksfile.ReadAny(c.Links)
	if err != nil {
		return nil, Stats{}, err
	}
	c.Logger.Info("read links", "file", c.Links, "records", len(links))
	ds, err := in.ReadAll(ctx, c.Logger, c.Progress)
	if err != nil {
		return nil, Stats{}, err
	}
	hs, st, err := BuildHouseholds(links, ds, c.Households)
	if err != nil {
		logUnknown(c.Logger, st)
		return nil, st, err
	}
	return hs, st, nil
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
	outside := 0
	for _, h := range hs {
		if h.District != "" && !slices.Contains(d.Districts, h.District) {
			outside++
		}
	}
	log.Info("households", "households", st.Households, "records", st.Records, "partners", len(st.Partners),
		"without_district", st.NoDistrict, "district_ties", st.DistrictTies, "without_needs", st.NoNeeds, "unknown_codes", st.UnknownCodes())
	if outside > 0 {
		log.Warn("households with a district outside the public districts are left out of the district tables",
			"households", outside, "districts", strings.Join(d.Districts, ","))
	}
}
