package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/incremental"
	"github.com/welfare-district/swd/pipeline"
	"github.com/welfare-district/swd/pipeline/state"
)

// StateLinkOptions are the flags of swd link that link one period against
// a linkage state.
type StateLinkOptions struct {
	Dir    string
	Period string
	Refit  bool
}

// AddFlags binds the options to fs.
func (o *StateLinkOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Dir, "state", "", "link one period against the linkage state in this directory (created by the first run): stable person and household ids, only new or changed records searched")
	fs.StringVar(&o.Period, "period", "", "with --state: the period linked, YYYY-MM (default: the current month, UTC)")
	fs.BoolVar(&o.Refit, "refit", false, "with --state: fit the model again on this period's files instead of reusing the state's")
}

// validate refuses the flags that mean nothing with (or without) --state.
func (o *StateLinkOptions) validate(l *LinkOptions) error {
	if o.Dir == "" {
		if o.Period != "" || o.Refit {
			return base.Usagef("--period and --refit need --state")
		}
		return nil
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"--model", l.Model != ""}, {"--save-model", l.SaveModel != ""}, {"--csv", l.CSV != ""},
		{"--report", l.Report != ""}, {"--report-json", l.ReportJSON != ""}} {
		if f.set {
			return base.Usagef("%s cannot be used with --state (the state keeps the model; its links file is the output)", f.name)
		}
	}
	return nil
}

// runLinkState links one period against the state, with the linkage
// parameters of cfg.
func runLinkState(ctx context.Context, opts *LinkOptions, g *GlobalOptions, cfg pipeline.LinkConfig) error {
	var flows state.FlowConfig
	if cfg.District != nil { // the district file's roles decide the missing middle of the flows
		flows.Public = cfg.District.PublicServices()
	}
	bars := newStageBars(g)
	res, err := state.Link(ctx, state.LinkConfig{Dir: opts.State.Dir, Period: opts.State.Period, Inputs: cfg.Inputs,
		Open: cfg.Open, Out: cfg.Out, Refit: opts.State.Refit, Linkage: cfg.Linkage, Flows: flows, Logger: g.Logger, Progress: bars.update})
	bars.finish()
	if err != nil || g.Quiet {
		return err
	}
	st := res.Stats
	fmt.Fprintf(g.Stdout, "period %s: %d records (%d new, %d changed, %d reopened, %d closed) in %d persons and %d households\n",
		res.Period, st.Records, st.New, st.Changed, st.Reopened, st.Closed, st.Persons, st.Households)
	var kinds []string
	for k, n := range res.Events {
		kinds = append(kinds, fmt.Sprintf("%s %d", strings.ReplaceAll(k, "_", " "), n))
	}
	slices.Sort(kinds)
	model := "reused"
	if res.Refit {
		model = "fitted"
	}
	fmt.Fprintf(g.Stdout, "events: %s\nmodel %s; %d candidate pairs searched (mean weight %.2f)\n", strings.Join(kinds, ", "), model, st.Candidates, st.MeanWeight)
	if worst := slices.MaxFunc(append(st.Drift, incremental.FieldDrift{}), func(a, b incremental.FieldDrift) int { return cmp.Compare(a.TV, b.TV) }); worst.Links > 0 {
		fmt.Fprintf(g.Stdout, "drift from the model: new links differ most on %s (total variation %.3f from m over %d links; --refit to refit)\n",
			worst.Field, worst.TV, worst.Links)
	}
	if len(res.Flows) > 0 {
		fmt.Fprintf(g.Stdout, "households new %d, closed %d, intercepted (third sector only before, public service now) %d\n",
			res.Flows[state.FlowNew], res.Flows[state.FlowClosed], res.Flows[state.FlowIntercepted])
	}
	fmt.Fprintf(g.Stdout, "links:  %s\nstate:  %s (generation %d)\n", res.Out, res.Dir, res.Generation)
	return nil
}
