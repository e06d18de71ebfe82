package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/pipeline"
)

// PublishConfig configures Publish: a release of one period of a state.
type PublishConfig struct {
	// Dir is the state directory.
	Dir string
	// Period is the period released; empty: the state's last. The state
	// holds the households of its last period only: each period is
	// released after its link run and before the next.
	Period string
	// Publish is the release's configuration as for pipeline.Publish
	// (Links and Inputs are not used: the state holds what a release
	// needs). An empty Params.Split releases the tables of dp.DefaultSplit
	// and, after the first period, the flow tables (dp.DefaultFlowSplit).
	Publish pipeline.PublishConfig
}

// Publish releases the state's period as swd publish releases a links
// file (pipeline.PublishFrom: the same ledger checks, dp path and
// dataset binding, from the state's key check, schema and partners), and,
// after the first period, the flows between the previous period and this
// one by district: households new, closed, and "missing middle"
// intercepted (dp.FlowQueries). A household has at most one flow in a
// period, so it counts at most once in at most one cell of each flow
// table. The public services must be those the state's flows were
// derived with (Link's FlowConfig).
func Publish(ctx context.Context, cfg PublishConfig) (*pipeline.PublishResult, error) {
	if cfg.Dir == "" {
		return nil, base.Usagef("state: the state directory is required")
	}
	if cfg.Period != "" && !periodRE.MatchString(cfg.Period) {
		return nil, base.Usagef("state: the period must be YYYY-MM, not %q", cfg.Period)
	}
	snap, err := Open(ctx, cfg.Dir)
	if err != nil {
		return nil, err
	}
	m := &snap.Manifest
	if cfg.Period == "" {
		cfg.Period = m.Period
	}
	if cfg.Period != m.Period {
		return nil, base.Usagef("state: the state holds the households of its last period, %s, not of %s: release each period after its link run, before the next", m.Period, cfg.Period)
	}
	withFlows := len(m.Periods) > 1 && snap.Households != nil
	pc := cfg.Publish
	if withFlows {
		pc.Params = dp.WithFlowSplit(pc.Params)
	} else {
		for _, q := range dp.FlowQueries {
			if pc.Params.Split[q] > 0 {
				return nil, base.Usagef("state: period %s is the state's first: it has no flows to release (%s)", cfg.Period, q)
			}
		}
	}
	partners := make([]string, len(m.Partners))
	for k, p := range m.Partners {
		partners[k] = p.Name
	}
	src := pipeline.HouseholdSource{
		Binding: dp.NewBinding(m.KeyCheck, m.SchemaFingerprint, partners),
		Households: func(_ context.Context, hc pipeline.HouseholdConfig) ([]dp.Household, pipeline.Stats, error) {
			if err := checkPublic(m, cfg.Period, hc); err != nil {
				return nil, pipeline.Stats{}, err
			}
			hs, st, err := pipeline.BuildHouseholds(snap.currentLinks(), snap.Encodings, hc)
			if err != nil {
				return nil, st, err
			}
			if withFlows {
				if hs, err = withFlowsOf(hs, snap.Flows, cfg.Period); err != nil {
					return nil, st, err
				}
			}
			return hs, st, nil
		},
	}
	pc.Period = cfg.Period
	if pc.History, err = readReleases(cfg.Dir, cfg.Period); err != nil {
		return nil, err
	}
	res, err := pipeline.PublishFrom(ctx, pc, src)
	if err != nil || pc.DryRun {
		return res, err
	}
	if err := writeRelease(cfg.Dir, dp.PeriodTables{Period: cfg.Period, Tables: res.Result.Tables}); err != nil {
		return nil, fmt.Errorf("state: the release is made, but its tables were not kept for the trend of later releases: %w", err)
	}
	return res, nil
}

// releasesDir holds, per period released, the tables released
// (releases/YYYY-MM.json): public values, kept for the trend of later
// releases, outside the state's generations.
const releasesDir = "releases"

// readReleases reads the tables released for the periods before period.
func readReleases(dir, period string) ([]dp.PeriodTables, error) {
	entries, err := os.ReadDir(filepath.Join(dir, releasesDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	var out []dp.PeriodTables
	for _, e := range entries {
		p, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !periodRE.MatchString(p) || p >= period {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, releasesDir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("state: %w", err)
		}
		var pt dp.PeriodTables
		if err := json.Unmarshal(data, &pt); err != nil || pt.Period != p {
			return nil, integrityf("state: %s/%s is not a release's tables", releasesDir, e.Name())
		}
		out = append(out, pt)
	}
	return out, nil
}

// writeRelease keeps the tables released for a period.
func writeRelease(dir string, pt dp.PeriodTables) error {
	if err := os.MkdirAll(filepath.Join(dir, releasesDir), 0o750); err != nil {
		return err
	}
	data, err := json.MarshalIndent(pt, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, releasesDir, pt.Period+".json"), append(data, '\n'), 0o640)
}

// currentLinks are the links of the state's current records.
func (s *Snapshot) currentLinks() []cluster.Link {
	var out []cluster.Link
	for _, r := range s.State.Records {
		if r.Open {
			out = append(out, cluster.Link{ClusterID: r.Person, HouseholdID: r.Household, Partner: r.Partner,
				RecordID: r.RecordID, MatchProbability: r.MatchProbability})
		}
	}
	return out
}

// withFlowsOf marks the households of the period's flows new or
// intercepted and adds the households closed this period (their district
// of the period before) for the flow_closed table only.
func withFlowsOf(hs []dp.Household, flows []Flow, period string) ([]dp.Household, error) {
	byID := make(map[string]int, len(hs))
	for k, h := range hs {
		byID[h.ID] = k
	}
	for _, f := range flows {
		if f.Period != period {
			continue
		}
		id := strconv.FormatInt(f.Household, 10)
		switch f.Kind {
		case FlowNew, FlowIntercepted:
			k, ok := byID[id]
			if !ok || hs[k].Flow != "" {
				return nil, integrityf("state: the flows of period %s do not match its households", period)
			}
			hs[k].Flow = dp.FlowNew
			if f.Kind == FlowIntercepted {
				hs[k].Flow = dp.FlowIntercepted
			}
		case FlowClosed:
			if _, ok := byID[id]; ok {
				return nil, integrityf("state: the flows of period %s close a current household", period)
			}
			hs = append(hs, dp.Household{ID: id, District: f.District, Flow: dp.FlowClosed})
		}
	}
	return hs, nil
}

// checkPublic refuses a release whose public services are not those the
// period's flows were derived with: the intercepted households depend on
// them.
func checkPublic(m *Manifest, period string, hc pipeline.HouseholdConfig) error {
	for _, p := range m.Periods {
		if p.Period != period || p.PublicServices == nil {
			continue
		}
		var now []string
		for _, q := range m.Partners {
			if hc.Public.IsPublic(q.Name) {
				now = append(now, q.Name)
			}
		}
		if !slices.Equal(now, p.PublicServices) {
			return base.Usagef("state: period %s's flows were derived with the public services %v, not %v: publish with the roles the period was linked with", period, p.PublicServices, now)
		}
	}
	return nil
}
