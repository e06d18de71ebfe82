package pipeline

import (
	"context"

	"github.com/welfare-district/swd/dp"
)

// HouseholdSource is where PublishFrom takes a release's households from,
// when they do not come from a links file and its encoded files (a
// linkage state: pipeline/state).
type HouseholdSource struct {
	// Binding is the dataset the households come from: the ledger is
	// bound to it as to the encoded files of Publish.
	Binding dp.Binding
	// Households builds the households with the release's household
	// configuration (defaults applied). It is called after the ledger,
	// the budget and the output directory were checked.
	Households func(ctx context.Context, hc HouseholdConfig) ([]dp.Household, Stats, error)
}

// PublishFrom makes one release as Publish does, from the households of
// src: the same checks of the ledger, budget and output before reading
// any data, the same dp.Publish path (reserve, release, commit) and the
// same result. cfg.Links and cfg.Inputs are not used.
func PublishFrom(ctx context.Context, cfg PublishConfig, src HouseholdSource) (*PublishResult, error) {
	cfg.setDefaults()
	if err := cfg.checkOutAndRoles(); err != nil {
		return nil, err
	}
	dc, err := cfg.dpConfigFor(src.Binding)
	if err != nil {
		return nil, err
	}
	pre, err := checkBudget(ctx, dc)
	if err != nil {
		return nil, err
	}
	households, st, err := src.Households(ctx, cfg.Households)
	if err != nil {
		return nil, err
	}
	st.countOutside(households, dc.Domain)
	logHouseholds(cfg.Logger, st, households, dc.Domain)
	// A state keeps no estimate of the household split and merge rates
	// (the links file's household_errors): Linkage stays nil.
	res := &PublishResult{DryRun: cfg.DryRun, Ledger: cfg.Ledger, Warning: pre.Warning, Params: cfg.Params.String(), Households: &st,
		GroupPrivacy: cfg.Params.Group()}
	if cfg.DryRun {
		res.Cost, res.Total, res.Spent, res.Left = pre.Cost, pre.Before.Total, pre.Before.Spent, pre.Before.Left
		return res, nil
	}
	if err := release(ctx, households, dc, res); err != nil {
		return nil, err
	}
	return res, nil
}
