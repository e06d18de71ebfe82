package state

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/incremental"
	"github.com/welfare-district/swd/pipeline"
)

// LinkConfig configures Link: one period's snapshots against a state.
type LinkConfig struct {
	// Dir is the state directory; the first run creates it.
	Dir string
	// Period is the period linked (YYYY-MM); empty: the current month
	// (UTC). It must come after the state's last period.
	Period string
	// Inputs are every partner's full current snapshot (encoded files); a
	// partner of the state without one keeps its records as they were.
	Inputs []string
	// Open opens the sealed ones among them.
	Open pipeline.OpenConfig
	// Out is the links file of the period (Parquet).
	Out string
	// Refit fits the model again on this period's snapshots (and relinks
	// every record with it); otherwise the state's model is reused. The
	// first run always fits.
	Refit bool
	// Linkage holds the linkage parameters, as for pipeline.Link.
	Linkage linkage.Config
	// Flows says which partners are public services and where the
	// district is, for the flows between periods.
	Flows       FlowConfig
	CodeVersion string
	Logger      *slog.Logger
	Progress    pipeline.ProgressFunc
	// Now is the clock (nil: time.Now), for the log and the default period.
	Now func() time.Time
}

// LinkResult summarises a Link run.
type LinkResult struct {
	Out        string            `json:"out"`
	Dir        string            `json:"state"`
	Period     string            `json:"period"`
	Generation int64             `json:"generation"`
	Refit      bool              `json:"refit"`
	Stats      incremental.Stats `json:"stats"`
	Events     map[string]int    `json:"events"` // count per level/kind
	// Flows counts the households new, closed and intercepted this period
	// (exact: for the linkage unit, never for release).
	Flows map[string]int `json:"flows"`
}

var periodRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// Link links one period's snapshots against the state in cfg.Dir (see
// package incremental), writes the period's links file, then the next
// state. The links file is written first: if the state cannot be saved the
// run can be repeated, and the state is either the previous one or the new
// one, never a mix. Files encoded with another schema or secret than the
// state's are refused (swd.ErrIntegrity), naming the partner.
func Link(ctx context.Context, cfg LinkConfig) (*LinkResult, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Period == "" {
		cfg.Period = cfg.Now().UTC().Format("2006-01")
	}
	if cfg.Dir == "" || cfg.Out == "" {
		return nil, base.Usagef("state: the state directory and the links file are required")
	}
	if !periodRE.MatchString(cfg.Period) {
		return nil, base.Usagef("state: the period must be YYYY-MM, not %q", cfg.Period)
	}
	if cfg.CodeVersion == "" {
		cfg.CodeVersion = pipeline.CodeVersion()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	in, err := pipeline.OpenInputs(cfg.Inputs, cfg.Open)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	// The state and the snapshots are read at the same time; the state's
	// encodings of the partners that sent a snapshot are not needed (only
	// checked against the manifest).
	sent := map[string]bool{}
	if names, err := in.Partners(); err == nil {
		for _, p := range names {
			sent[p] = true
		}
	}
	var snap *Snapshot
	var openErr error
	opened := make(chan struct{})
	go func() {
		defer close(opened)
		snap, openErr = open(ctx, cfg.Dir, sent)
	}()
	ds, srcs, err := in.ReadAllSources(ctx, log, cfg.Progress)
	<-opened
	first := errors.Is(openErr, ErrNoState)
	switch {
	case first:
		snap = &Snapshot{State: &incremental.State{}}
	case openErr != nil:
		return nil, openErr
	}
	if err != nil {
		return nil, err
	}
	if err := linkage.CheckCompatible(ds); err != nil {
		return nil, err
	}
	if !first {
		if err := snap.checkInputs(ds); err != nil {
			return nil, err
		}
		ds = snap.carryAbsent(ds, log)
	}
	srcs = append(srcs, make([]pipeline.Source, len(ds)-len(srcs))...) // the partners carried are encoded again
	lc := cfg.Linkage
	lc.Logger, lc.Progress = log, cfg.Progress
	refit := first || cfg.Refit
	prev := *snap.State
	if refit {
		lc.Model = nil
		fit, err := linkage.Link(ctx, ds, lc)
		if err != nil {
			return nil, err
		}
		prev.Model, prev.Priors = fit.Model, fit.Priors
	}
	res, err := incremental.Update(ctx, &prev, ds, cfg.Period, incremental.Config{Linkage: lc, All: refit})
	if err != nil {
		return nil, err
	}
	// The households and flows are derived while the links file is
	// written: both only read the links.
	written := make(chan error, 1)
	go func() { written <- writeLinks(cfg, lc, res, ds, refit) }()
	fc := cfg.Flows.withDefaults()
	hh := households(cfg.Period, res.Links, ds, fc)
	public := []string{}
	for _, d := range ds {
		if fc.Public.IsPublic(d.Meta.Partner) {
			public = append(public, d.Meta.Partner)
		}
	}
	var fl []Flow
	if !first && snap.Households != nil { // nil: a state from before the flows
		fl = flows(cfg.Period, res.Links, hh, &prev, snap.Households)
	}
	if err := <-written; err != nil {
		return nil, err
	}
	snap.State, snap.Encodings, snap.sources, snap.Households = res.State, ds, srcs, hh
	snap.Events = append(snap.Events, res.Events...)
	snap.Flows = append(snap.Flows, fl...)
	m := &snap.Manifest
	m.SchemaFingerprint, m.KeyCheck, m.CodeVersion = ds[0].Meta.SchemaFingerprint, ds[0].Meta.KeyCheck, cfg.CodeVersion
	st := res.Stats
	m.Periods = append(m.Periods, PeriodSummary{Period: cfg.Period, Records: st.Records, New: st.New, Reopened: st.Reopened,
		Changed: st.Changed, Closed: st.Closed, Persons: st.Persons, Households: st.Households, Events: len(res.Events), Refit: refit,
		Flows: countFlows(fl), PublicServices: public})
	m.Log = append(m.Log, LogEntry{Time: cfg.Now().UTC(), Action: "link", Period: cfg.Period, Records: st.Records})
	if err := Save(cfg.Dir, snap); err != nil {
		return nil, err
	}
	out := &LinkResult{Out: cfg.Out, Dir: cfg.Dir, Period: cfg.Period, Generation: m.Generation, Refit: refit, Stats: st,
		Events: map[string]int{}}
	for _, e := range res.Events {
		out.Events[e.Level+"_"+e.Kind]++
	}
	out.Flows = countFlows(fl)
	return out, nil
}

// checkInputs refuses snapshots encoded with another schema or secret
// than the state's.
func (s *Snapshot) checkInputs(ds []*encoding.Dataset) error {
	for _, d := range ds {
		switch {
		case d.Meta.SchemaFingerprint != s.Manifest.SchemaFingerprint:
			return integrityf("partner %q: its file was encoded with another schema than the linkage state's (schema fingerprint differs)", d.Meta.Partner)
		case d.Meta.KeyCheck != s.Manifest.KeyCheck:
			return integrityf("partner %q: its file was encoded with another secret than the linkage state's (key check value differs)", d.Meta.Partner)
		}
	}
	return nil
}

// carryAbsent adds the state's encodings of the partners without a
// snapshot in this run: their records stay as they were.
func (s *Snapshot) carryAbsent(ds []*encoding.Dataset, log *slog.Logger) []*encoding.Dataset {
	have := map[string]bool{}
	for _, d := range ds {
		have[d.Meta.Partner] = true
	}
	for _, d := range s.Encodings {
		if d != nil && !have[d.Meta.Partner] {
			log.Warn("no snapshot for a partner of the state: its records are kept as they were", "partner", d.Meta.Partner, "records", d.Len())
			ds = append(ds, d)
		}
	}
	return ds
}

// writeLinks writes the period's links file with its run description.
func writeLinks(cfg LinkConfig, lc linkage.Config, res *incremental.Result, ds []*encoding.Dataset, refit bool) error {
	lc, err := lc.WithDefaults()
	if err != nil {
		return err
	}
	assignment := "optimal"
	if lc.Assignment == cluster.AssignGreedy {
		assignment = "greedy"
	}
	run := &linksfile.Run{CodeVersion: cfg.CodeVersion, Model: res.State.Model,
		Clusters: cluster.Stats{Records: res.Stats.Records, Clusters: res.Stats.Persons, Households: res.Stats.Households},
		Params: linksfile.Params{Threshold: lc.Threshold, Assignment: assignment, ModelGiven: !refit, NoTF: lc.NoTF,
			NoDedup: lc.NoDedup, HouseholdAttr: lc.HouseholdAttr, USamples: lc.USamples, FixedU: lc.FixedU, Seed: lc.Seed,
			VetoWeight: lc.VetoWeight, NoVeto: lc.NoVeto, DiceMaxPairs: lc.DiceMaxPairs, DiceThreshold: lc.DiceThreshold,
			DiceTopK: lc.DiceTopK}}
	for _, d := range ds {
		run.Partners = append(run.Partners, d.Meta.Partner)
	}
	rows := make([]linksfile.PeriodLink, len(res.Links))
	for k, l := range res.Links {
		rows[k] = linksfile.NewPeriodLink(l.Link, l.Period, l.FirstPeriod)
	}
	if err := linksfile.WritePeriods(cfg.Out, rows, run); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}

// countFlows counts flows by kind.
func countFlows(fl []Flow) map[string]int {
	out := map[string]int{}
	for _, f := range fl {
		out[f.Kind]++
	}
	return out
}
