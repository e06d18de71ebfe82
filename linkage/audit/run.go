package audit

import (
	"context"
	"slices"
	"strings"
)

// Attack names, as Run reports them and Options.Attacks selects them.
const (
	AttackFrequency     = "frequency"
	AttackCohort        = "cohort"
	AttackPatternFields = "pattern-mining-fields"
	AttackPatternCLK    = "pattern-mining-clk"
	AttackGraph         = "graph-matching"
	AttackBlockingKeys  = "blocking-keys"
)

// Attacks lists every attack Run knows, in the order it runs them.
var Attacks = []string{AttackFrequency, AttackCohort, AttackPatternFields, AttackPatternCLK, AttackGraph, AttackBlockingKeys}

// Options configures Run.
type Options struct {
	// Attacks to run (default: all of Attacks).
	Attacks []string
	// Align is the number of frequency alignments of the frequency and
	// cohort attacks (default 300).
	Align   int
	Pattern PatternConfig
	Graph   GraphConfig
	// Uniqueness configures the report of what the linkage unit holds
	// beside the filters.
	Uniqueness UniquenessOptions
}

// Report is the outcome of Run.
type Report struct {
	Records int            `json:"records"`
	Attacks []AttackResult `json:"attacks"`
	// Worst is the highest re-identification rate of any attack, and
	// WorstAttack its name.
	Worst       float64 `json:"worst"`
	WorstAttack string  `json:"worst_attack"`
	// Chance is the share of records a guess without any attack gets
	// right: every record given the most frequent public value of each
	// target field. An attack is worth its rate above this.
	Chance float64 `json:"chance"`
	// Cohorts are the salt cohorts the attacker recovered.
	Cohorts []Cohorts `json:"cohorts,omitempty"`
	// Uniqueness is the joint uniqueness of growing combinations of what
	// the linkage unit holds per record beside the identifying filters.
	Uniqueness []Uniqueness `json:"uniqueness"`
	// Exposure bounds, for every column of encodings, what frequency
	// alignment alone could learn with an exact knowledge of the
	// plaintext distribution.
	Exposure []Exposure `json:"exposure"`
}

// Run recovers the salt cohorts, runs the selected attacks on the input
// and reports each attack's re-identification rate, the worst, the
// linkage unit's view (joint uniqueness) and the exposure of every column.
func Run(ctx context.Context, in *Input, opt Options) (Report, error) {
	if err := in.Validate(); err != nil {
		return Report{}, err
	}
	if opt.Align <= 0 {
		opt.Align = 300
	}
	run := func(name string) bool { return len(opt.Attacks) == 0 || slices.Contains(opt.Attacks, name) }
	rep := Report{Records: in.Data.Len()}
	// Salt cohorts, once per salt of the file (not only of the targets:
	// they are part of what the linkage unit learns).
	cohorts, err := SaltCohorts(ctx, in)
	if err != nil {
		return Report{}, err
	}
	for _, c := range cohorts {
		rep.Cohorts = append(rep.Cohorts, *c)
	}
	slices.SortFunc(rep.Cohorts, func(a, b Cohorts) int { return strings.Compare(a.Salt+a.Part, b.Salt+b.Part) })
	add := func(r AttackResult, err error) error {
		if err != nil {
			return err
		}
		rep.Attacks = append(rep.Attacks, r)
		if r.Reidentified > rep.Worst || rep.WorstAttack == "" {
			rep.Worst, rep.WorstAttack = r.Reidentified, r.Name
		}
		return nil
	}
	if run(AttackFrequency) {
		if err := add(Frequency(ctx, in, opt.Align)); err != nil {
			return Report{}, err
		}
	}
	if run(AttackCohort) {
		if err := add(Cohort(ctx, in, cohorts, opt.Align)); err != nil {
			return Report{}, err
		}
	}
	if run(AttackPatternFields) {
		if err := add(PatternMining(ctx, in, cohorts, false, opt.Pattern)); err != nil {
			return Report{}, err
		}
	}
	if run(AttackPatternCLK) {
		if err := add(PatternMining(ctx, in, cohorts, true, opt.Pattern)); err != nil {
			return Report{}, err
		}
	}
	if run(AttackGraph) {
		if err := add(Graph(ctx, in, cohorts, opt.Graph)); err != nil {
			return Report{}, err
		}
	}
	if run(AttackBlockingKeys) {
		if err := add(BlockingKeys(ctx, in, opt.Align)); err != nil {
			return Report{}, err
		}
	}
	rep.Chance = chance(in)
	rep.Uniqueness = LinkageUnitView(in.Data, rep.Cohorts, opt.Uniqueness)
	rep.Exposure = append(rep.Exposure, FilterExposure("clk", in.Data.CLK, nil))
	for _, c := range in.Data.BlockKeys {
		rep.Exposure = append(rep.Exposure, ColumnExposure("bk_"+c.Name, c.Values))
	}
	for _, f := range in.Data.Fields {
		rep.Exposure = append(rep.Exposure, FilterExposure("f_"+f.Name, f.Filters, f.Present))
	}
	return rep, nil
}

// chance is the share of records that have, in some target field, the
// most frequent value of its public reference.
func chance(in *Input) float64 {
	n := in.Data.Len()
	if n == 0 {
		return 0
	}
	hit := make([]bool, n)
	for _, t := range in.Targets {
		top := sortedPublic(t.Public)[0].Name
		for i, v := range t.Truth {
			if v != "" && v == top {
				hit[i] = true
			}
		}
	}
	c := 0
	for _, h := range hit {
		if h {
			c++
		}
	}
	return float64(c) / float64(n)
}
