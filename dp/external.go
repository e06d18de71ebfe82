package dp

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/differential-privacy/go/v3/noise"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/taxonomy"
)

// This file serves releases whose noise is drawn elsewhere, by the same DP
// library running on a distributed engine (swd-beam runs privacy-on-beam
// on Apache Beam): the tables, their bounded contributions and budget come
// from here, the noisy values come back, and the release is written under
// the same ledger protocol as Publish.

// TablePlan describes one released table for an external aggregation: its
// grouping columns, public partitions, contribution bounds and budget.
type TablePlan struct {
	Query      string
	Columns    []string
	Partitions [][]string // the public partitions, in release order
	// MaxPartitions (L0) bounds the cells one household counts in,
	// MaxPerPartition (L∞) what it adds to one (1: a count).
	MaxPartitions   int64
	MaxPerPartition int64
	Epsilon, Delta  float64 // of the noisy values
	Mechanism       string
}

// Bounder bounds households' contributions to the tables of a release, as
// Aggregation.Add does, for an aggregation run elsewhere.
type Bounder struct {
	params Params
	specs  []querySpec
	plans  []TablePlan
}

// NewBounder prepares the tables of p (which gets its defaults) over d.
// Only tables of counts over public partitions can be computed elsewhere:
// partition selection and clamped sums are refused.
func NewBounder(p Params, d Domain) (*Bounder, error) {
	p.EnsureDefaults()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	specs, err := buildSpecs(&p, &d)
	if err != nil {
		return nil, err
	}
	b := &Bounder{params: p, specs: specs}
	for _, s := range specs {
		if s.public == nil {
			return nil, fmt.Errorf("dp: %s: partitions are not public; an external aggregation needs them public", s.name)
		}
		if s.sumUpper > 0 {
			return nil, fmt.Errorf("dp: %s is a clamped sum; an external aggregation computes counts only", s.name)
		}
		tp := TablePlan{Query: s.name, Columns: s.columns, Partitions: s.public, MaxPartitions: s.l0, MaxPerPartition: 1,
			Epsilon: p.QueryEpsilon(s.name), Mechanism: p.Mechanism}
		if p.Mechanism == MechanismGaussian {
			tp.Delta = p.QueryDelta(s.name)
		}
		b.plans = append(b.plans, tp)
	}
	return b, nil
}

// Params returns the release's parameters, with their defaults.
func (b *Bounder) Params() Params { return b.params }

// Tables returns the plans of the released tables.
func (b *Bounder) Tables() []TablePlan { return b.plans }

// Contributions returns, for each table (in Tables order), the cells (keys
// of its public partitions) household h counts in: at most MaxPartitions,
// each once, chosen as Aggregation.Add chooses them.
func (b *Bounder) Contributions(h *Household) [][][]string {
	out := make([][][]string, len(b.specs))
	for t, s := range b.specs {
		public := map[string]bool{}
		for _, k := range s.public {
			public[strings.Join(k, "\x1f")] = true
		}
		for _, keys := range s.contrib(h) {
			if public[strings.Join(keys, "\x1f")] {
				out[t] = append(out[t], keys)
			}
		}
	}
	return out
}

// NoisyTable turns the noisy counts of one table, drawn elsewhere by the DP
// library with the mechanism and budget of plan (keys joined by "\x1f"; a
// missing partition is an error: public partitions are all released), into
// the released table: post-processed as Result does and with confidence
// intervals computed by the library's noise package from the noisy values
// (post-processing too).
func (b *Bounder) NoisyTable(plan TablePlan, noisy map[string]int64) (Table, error) {
	p := b.params
	nz := noise.Laplace()
	if plan.Mechanism == MechanismGaussian {
		nz = noise.Gaussian()
	}
	t := Table{Query: plan.Query, Columns: plan.Columns, Mechanism: plan.Mechanism, Epsilon: plan.Epsilon, Delta: plan.Delta,
		MaxPartitions: plan.MaxPartitions, MaxPerPartition: plan.MaxPerPartition, Confidence: p.Confidence,
		NoiseStd: noiseStd(plan.Mechanism, plan.MaxPartitions, plan.MaxPerPartition, plan.Epsilon, plan.Delta)}
	for _, keys := range plan.Partitions {
		v, ok := noisy[strings.Join(keys, "\x1f")]
		if !ok {
			return t, fmt.Errorf("dp: %s: no noisy value for a public partition", plan.Query)
		}
		ci, err := nz.ComputeConfidenceIntervalInt64(v, plan.MaxPartitions, plan.MaxPerPartition, plan.Epsilon, plan.Delta, 1-p.Confidence)
		if err != nil {
			return t, err
		}
		t.Cells = append(t.Cells, Cell{Keys: keys, Value: postProcess(v, p.RoundTo),
			CILower: max(0, math.Round(ci.LowerBound)), CIUpper: max(0, math.Round(ci.UpperBound))})
	}
	return t, nil
}

// PublishExternal makes one release whose noisy tables compute returns,
// under Publish's ledger protocol: the ledger is locked and the cost
// checked (ErrBudgetExhausted before anything runs), the budget is reserved
// before compute starts (compute draws the noise), the release is written
// atomically and committed after compute succeeded. If compute fails the
// reservation stays pending: its noise may have been drawn.
func PublishExternal(ctx context.Context, cfg PublishConfig, compute func(ctx context.Context, b *Bounder) (*Result, error)) (*Published, error) {
	quietGlog()
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b, err := NewBounder(cfg.Params, cfg.Domain)
	if err != nil {
		return nil, base.Mark(err, base.ErrUsage)
	}
	p := b.params
	if err := checkOutDir(cfg.OutDir); err != nil {
		return nil, err
	}
	agg, err := NewAggregation(p, cfg.Domain) // the cost, as Publish computes it
	if err != nil {
		return nil, base.Mark(err, base.ErrUsage)
	}
	l, err := openReleaseLedger(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	before := l.Status()
	out := &Published{Cost: agg.Cost(), OutDir: cfg.OutDir, Before: before, Warning: WeakProtection(p.Epsilon)}
	if err := l.Check(out.Cost); err != nil {
		return nil, err
	}
	if cfg.DryRun {
		return out, nil
	}
	abs, _ := filepath.Abs(cfg.OutDir)
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
	res, err := compute(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("release %s (budget spent, ledger entry left pending): %w", id, err)
	}
	meta := newReleaseMeta(res, cfg.Domain)
	meta.Delta = agg.unitCost().Delta
	meta.PrivacyUnit = newPrivacyUnitMeta(p, agg.unitCost(), cfg.Linkage)
	meta.Created, meta.LedgerEntryID, meta.Ledger = time.Now().UTC(), id, filepath.Base(cfg.Ledger)
	meta.LedgerID, meta.LedgerHead, meta.LedgerEntries = l.ID(), l.Head(), l.Len()
	meta.CodeVersion, meta.TaxonomyVersion, meta.Title = cfg.CodeVersion, taxonomy.Default().Version(), cfg.Title
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
