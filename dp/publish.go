package dp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
	"github.com/welfare-district/swd/taxonomy"
)

// PublishConfig configures one release.
type PublishConfig struct {
	Params Params
	Domain Domain
	// Ledger is the dataset's ledger file. It must exist (InitLedger, swd
	// budget init): a release never creates one (swd.ErrUsage).
	Ledger string
	// Binding is the dataset the households come from (the key check value,
	// schema fingerprint and partners of its encoded files). The ledger's
	// first release records it; a release of another dataset is refused
	// with swd.ErrIntegrity. Required.
	Binding Binding
	// Key signs the ledger's entries; required for a signed ledger (one
	// created with a key), unused for an unsigned one.
	Key *identity.Private
	// OutDir receives the release; it must not exist or be empty.
	OutDir string
	// DryRun checks the ledger, the dataset and the budget and returns the
	// cost without computing or writing anything. It only reads the ledger
	// (under a shared lock): a torn last line is not cut off but ignored, as
	// a release would see it; the cost and the errors are a release's.
	DryRun bool
	// Linkage is the quality of the linkage that made the households (its
	// estimated split and merge rates), for release.json and the report;
	// nil when unknown.
	Linkage     *LinkageQuality
	CodeVersion string
	Title       string
	// Period names the period of a release over time; History holds the
	// tables released for the earlier periods, for the report's trend of
	// every series (post-processing of public values: no budget).
	Period  string
	History []PeriodTables
	Logger  *slog.Logger
}

// Published describes a release (or, for a dry run, the release that would
// be made).
type Published struct {
	EntryID string
	Cost    Budget
	OutDir  string
	Before  *Status // the ledger before the release
	After   *Status // the ledger after the release; nil for a dry run
	Result  *Result // nil for a dry run
	// Warning is WeakProtection's warning for the release's ε ("" when ε is
	// at most WeakEpsilon).
	Warning string
}

// tmpPrefix names the directory a release is written into before it is
// renamed to OutDir.
const tmpPrefix = ".swd-release-"

// Publish makes one DP release of households, following the ledger
// protocol:
//
//  1. lock the ledger and verify it (chain, head, signatures:
//     swd.ErrIntegrity); refuse files of another dataset (swd.ErrIntegrity)
//     and a cost that does not fit (ErrBudgetExhausted), before anything is
//     computed or written;
//  2. aggregate with bounded contributions (no noise yet);
//  3. append a pending entry (fsync): from now on the budget is spent;
//  4. draw the noise and write every file into a temporary directory next
//     to OutDir, then rename it to OutDir (fsync'd);
//  5. append a committed entry (fsync).
//
// A crash before 3 completes leaves no entry and no output; a crash after
// it leaves a pending entry that stays counted as spent.
func Publish(ctx context.Context, households []Household, cfg PublishConfig) (*Published, error) {
	quietGlog()
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := cfg.Params
	p.EnsureDefaults()
	if err := p.Validate(); err != nil {
		return nil, base.Mark(err, base.ErrUsage)
	}
	if err := checkOutDir(cfg.OutDir); err != nil {
		return nil, err
	}
	l, err := openReleaseLedger(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	before := l.Status()
	agg, err := NewAggregation(p, cfg.Domain) // validates the domain; no data yet
	if err != nil {
		return nil, base.Mark(err, base.ErrUsage)
	}
	out := &Published{Cost: agg.Cost(), OutDir: cfg.OutDir, Before: before, Warning: WeakProtection(p.Epsilon)}
	if err := l.Check(out.Cost); err != nil {
		return nil, err
	}
	if cfg.DryRun {
		return out, nil
	}
	crashPoint("locked")
	for i := range households {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err := agg.Add(households[i]); err != nil {
			return nil, err
		}
	}
	abs, _ := filepath.Abs(cfg.OutDir)
	crashPoint("aggregated")
	id, err := l.Reserve(Reservation{Cost: out.Cost, Queries: p.ReleasedQueries(), Params: p.String(),
		CodeVersion: cfg.CodeVersion, Output: abs, Binding: cfg.Binding})
	if err != nil {
		return nil, err
	}
	out.EntryID = id
	log.Info("budget reserved", "ledger", cfg.Ledger, "release", id, "epsilon", p.Epsilon, "delta", p.Delta)
	if out.Warning != "" {
		log.Warn(out.Warning)
	}
	// From here the budget is spent: noise is drawn next.
	res, err := agg.Result()
	if err != nil {
		return nil, fmt.Errorf("release %s (budget spent): %w", id, err)
	}
	crashPoint("noise drawn")
	meta := newReleaseMeta(res, cfg.Domain)
	meta.Delta = agg.unitCost().Delta
	meta.PrivacyUnit = newPrivacyUnitMeta(p, agg.unitCost(), cfg.Linkage)
	meta.Created, meta.LedgerEntryID, meta.Ledger = time.Now().UTC(), id, filepath.Base(cfg.Ledger)
	meta.LedgerID, meta.LedgerHead, meta.LedgerEntries = l.ID(), l.Head(), l.Len()
	meta.CodeVersion, meta.TaxonomyVersion, meta.Title = cfg.CodeVersion, taxonomy.Default().Version(), cfg.Title
	meta.Period, meta.Trend = cfg.Period, cfg.History
	if out.Warning != "" {
		meta.Warnings = []string{out.Warning}
	}
	if err := writeReleaseDir(cfg.OutDir, id, res, meta, before.Uncommitted); err != nil {
		return nil, fmt.Errorf("release %s (budget spent, ledger entry left pending): %w", id, err)
	}
	if err := l.Commit(id); err != nil {
		return nil, fmt.Errorf("release %s written but not committed (budget spent): %w", id, err)
	}
	out.Result, out.After = res, l.Status()
	return out, nil
}

// checkOutDir refuses an existing non-empty output directory.
func checkOutDir(dir string) error {
	if dir == "" {
		return base.Usagef("dp: no output directory")
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return base.Usagef("dp: output directory %s: %v", dir, err)
	case len(entries) > 0:
		return base.Usagef("dp: output directory %s exists and is not empty", dir)
	}
	return nil
}

// writeReleaseDir writes the release into a temporary sibling directory and
// renames it to dir, so that dir appears complete or not at all.
func writeReleaseDir(dir, id string, res *Result, meta ReleaseMeta, stale []string) error {
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	for _, old := range stale {
		_ = os.RemoveAll(filepath.Join(parent, tmpPrefix+old))
	}
	tmp := filepath.Join(parent, tmpPrefix+id)
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return err
	}
	report, err := renderReport(res, meta, meta.Title)
	if err == nil {
		err = writeRelease(tmp, res, meta, report)
	}
	if err == nil {
		err = atomicfile.SyncDir(tmp)
	}
	if err == nil {
		crashPoint("release written")
		_ = os.Remove(dir) // an empty directory the user made; checked before
		err = os.Rename(tmp, dir)
	}
	if err != nil {
		_ = os.RemoveAll(tmp)
		return err
	}
	crashPoint("release renamed")
	return atomicfile.SyncDir(parent)
}

// openReleaseLedger opens the ledger a release spends from (read only for a
// dry run), checks that it is bound to the release's dataset, and warns of
// what its state means for the release: not signed although a key was
// given, a torn last line, releases that never committed.
func openReleaseLedger(ctx context.Context, cfg PublishConfig, log *slog.Logger) (*Ledger, error) {
	var (
		l   *Ledger
		err error
	)
	if cfg.DryRun {
		l, err = peekLedger(ctx, cfg.Ledger, cfg.Key)
	} else {
		l, err = OpenLedger(ctx, cfg.Ledger, cfg.Key)
	}
	if err != nil {
		return nil, err
	}
	if err := l.CheckBinding(cfg.Binding); err != nil {
		l.Close()
		return nil, err
	}
	if cfg.Key != nil && l.Signer() == nil {
		log.Warn("the ledger is not signed (it was created without a key): its entries are hash-chained, not signed", "ledger", cfg.Ledger)
	}
	switch {
	case l.Repaired() && cfg.DryRun:
		log.Warn("ledger has a torn last line from an interrupted release; a release will cut it off", "ledger", cfg.Ledger)
	case l.Repaired():
		log.Warn("ledger had a torn last line from an interrupted release; it was cut off", "ledger", cfg.Ledger)
	}
	if u := l.Status().Uncommitted; len(u) > 0 {
		log.Warn("ledger has releases that never committed; their budget stays spent", "ledger", cfg.Ledger, "releases", strings.Join(u, ","))
	}
	return l, nil
}
