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
	"github.com/welfare-district/swd/taxonomy"
)

// PublishConfig configures one release.
type PublishConfig struct {
	Params Params
	Domain Domain
	// Ledger is the dataset's ledger file (created with the default total
	// budget if missing, except by a dry run).
	Ledger string
	// OutDir receives the release; it must not exist or be empty.
	OutDir string
	// DryRun checks the budget and returns the cost without computing or
	// writing anything. It only reads the ledger (under a shared lock): a
	// missing ledger is not created but counted as the fresh one a release
	// would create, a torn last line is not cut off but ignored, as a
	// release would see them; the cost and the errors are a release's.
	DryRun      bool
	CodeVersion string
	Title       string
	Logger      *slog.Logger
}

// Published describes a release (or, for a dry run, the release that would
// be made).
type Published struct {
	EntryID string
	Cost    Budget
	OutDir  string
	Before  *Status // the ledger before the release
	Result  *Result // nil for a dry run
	// NewLedger: the ledger did not exist and the release created it with
	// the default total budget (a dry run: would create it).
	NewLedger bool
}

// tmpPrefix names the directory a release is written into before it is
// renamed to OutDir.
const tmpPrefix = ".swd-release-"

// Publish makes one DP release of households, following the ledger
// protocol:
//
//  1. lock the ledger; refuse (ErrBudgetExhausted) if the cost does not fit,
//     before anything is computed or written;
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
	var l *Ledger
	var err error
	if cfg.DryRun {
		l, err = peekLedger(ctx, cfg.Ledger)
	} else {
		l, err = OpenLedger(ctx, cfg.Ledger)
	}
	if err != nil {
		return nil, err
	}
	defer l.Close()
	switch {
	case l.Repaired() && cfg.DryRun:
		log.Warn("ledger has a torn last line from an interrupted release; a release will cut it off", "ledger", cfg.Ledger)
	case l.Repaired():
		log.Warn("ledger had a torn last line from an interrupted release; it was cut off", "ledger", cfg.Ledger)
	}
	before := l.Status()
	if len(before.Uncommitted) > 0 {
		log.Warn("ledger has releases that never committed; their budget stays spent", "ledger", cfg.Ledger, "releases", strings.Join(before.Uncommitted, ","))
	}
	agg, err := NewAggregation(p, cfg.Domain) // validates the domain; no data yet
	if err != nil {
		return nil, base.Mark(err, base.ErrUsage)
	}
	out := &Published{Cost: agg.Cost(), OutDir: cfg.OutDir, Before: before, NewLedger: l.Created()}
	if err := l.Check(out.Cost); err != nil {
		return nil, err
	}
	if cfg.DryRun {
		return out, nil
	}
	for i := range households {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err := agg.Add(households[i]); err != nil {
			return nil, err
		}
	}
	abs, _ := filepath.Abs(cfg.OutDir)
	id, err := l.Reserve(Reservation{Cost: out.Cost, Queries: p.ReleasedQueries(), Params: p.String(),
		CodeVersion: cfg.CodeVersion, Output: abs})
	if err != nil {
		return nil, err
	}
	out.EntryID = id
	log.Info("budget reserved", "ledger", cfg.Ledger, "release", id, "epsilon", p.Epsilon, "delta", p.Delta)
	// From here the budget is spent: noise is drawn next.
	res, err := agg.Result()
	if err != nil {
		return nil, fmt.Errorf("release %s (budget spent): %w", id, err)
	}
	meta := newReleaseMeta(res, cfg.Domain)
	meta.Delta = out.Cost.Delta
	meta.Created, meta.LedgerEntryID, meta.Ledger = time.Now().UTC(), id, filepath.Base(cfg.Ledger)
	meta.CodeVersion, meta.TaxonomyVersion, meta.Title = cfg.CodeVersion, taxonomy.Default().Version(), cfg.Title
	if err := writeReleaseDir(cfg.OutDir, id, res, meta, before.Uncommitted); err != nil {
		return nil, fmt.Errorf("release %s (budget spent, ledger entry left pending): %w", id, err)
	}
	if err := l.Commit(id); err != nil {
		return nil, fmt.Errorf("release %s written but not committed (budget spent): %w", id, err)
	}
	out.Result = res
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
		_ = os.Remove(dir) // an empty directory the user made; checked before
		err = os.Rename(tmp, dir)
	}
	if err != nil {
		_ = os.RemoveAll(tmp)
		return err
	}
	return atomicfile.SyncDir(parent)
}
