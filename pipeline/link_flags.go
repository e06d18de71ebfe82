package pipeline

import (
	"strings"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/model"
)

// FlagBinder is what the commands' shared flags need of a flag set. The
// standard library's *flag.FlagSet and pflag's *pflag.FlagSet both have
// these methods, so swd (cobra) and swd-beam (flag) bind the same flags
// with the same names, defaults and help.
type FlagBinder interface {
	StringVar(p *string, name, value, usage string)
	BoolVar(p *bool, name string, value bool, usage string)
	IntVar(p *int, name string, value int, usage string)
	Int64Var(p *int64, name string, value int64, usage string)
	Uint64Var(p *uint64, name string, value uint64, usage string)
	Float64Var(p *float64, name string, value float64, usage string)
	Func(name, usage string, fn func(string) error)
}

// LinkFlags are the settings of a linkage as the commands take them: swd
// link and swd-beam link share them (each adds its own).
type LinkFlags struct {
	Out          string
	Report       string
	ReportJSON   string
	CSV          string
	Threshold    float64
	Model        string
	SaveModel    string
	NoTF         bool
	TF           []string
	Clustering   string
	HouseholdMin float64
	// NoCoResidence: households are not joined by a shared address and
	// phone (linkage.Config.NoCoResidence, linkage.CoResidenceKeys).
	NoCoResidence bool
	NoDedup       bool
	Assignment    string
	HouseholdAttr string
	USamples      int
	Seed          uint64
	VetoWeight    float64
	DiceMaxPairs  int64
	District      string
}

// DefaultLinkFlags are the flags' defaults, for callers that fill a
// LinkFlags without binding it.
func DefaultLinkFlags() LinkFlags {
	return LinkFlags{Threshold: linkage.DefaultThreshold, Clustering: linkage.ClusteringContested, Assignment: "optimal",
		HouseholdMin: linkage.DefaultHouseholdMinWeight, HouseholdAttr: linkage.DefaultHouseholdAttr, USamples: model.DefaultUSamples, Seed: linkage.DefaultSeed,
		VetoWeight: linkage.DefaultVetoWeight, DiceMaxPairs: linkage.DefaultDiceMaxPairs}
}

// Bind binds the flags to fs with their defaults.
func (f *LinkFlags) Bind(fs FlagBinder) {
	d := DefaultLinkFlags()
	fs.StringVar(&f.Out, "out", "", "links file to write (Parquet)")
	fs.StringVar(&f.Report, "report", "", "linkage report, HTML (default: OUT with .report.html)")
	fs.StringVar(&f.ReportJSON, "report-json", "", "linkage report, JSON (default: OUT with .report.json)")
	fs.StringVar(&f.CSV, "csv", "", "also write the links as CSV to this file")
	fs.Float64Var(&f.Threshold, "threshold", d.Threshold, "posterior match probability a link needs")
	fs.StringVar(&f.Model, "model", "", "apply this saved model (JSON) instead of fitting one by EM")
	fs.StringVar(&f.SaveModel, "save-model", "", "save the fitted model (JSON) for reuse with --model")
	fs.BoolVar(&f.NoTF, "no-tf", false, "disable the term-frequency adjustment of exact agreements")
	fs.Func("tf", "`fields` whose exact agreements get the term-frequency adjustment, comma-separated, repeatable (default none)", func(v string) error {
		for _, field := range strings.Split(v, ",") {
			if field = strings.TrimSpace(field); field != "" {
				f.TF = append(f.TF, field)
			}
		}
		return nil
	})
	fs.StringVar(&f.Clustering, "clustering", d.Clustering, "which connected components of the links are solved on all their pairs: contested (where the heaviest-first merge refused a link), all, or merge (none)")
	fs.Float64Var(&f.HouseholdMin, "household-min-weight", d.HouseholdMin, "a person who alone joins two partner households must be linked across them by a pair of at least these posterior log2-odds, or is split there (0: no such rule)")
	fs.BoolVar(&f.NoCoResidence, "no-co-residence", false, "do not join two households that alone share a phone number and an address (only person links and the partners' household ids)")
	fs.BoolVar(&f.NoDedup, "no-dedup", false, "do not look for duplicates inside each partner's file")
	fs.StringVar(&f.Assignment, "assignment", d.Assignment, "one-to-one assignment between two partners: optimal or greedy")
	fs.StringVar(&f.HouseholdAttr, "household-attr", d.HouseholdAttr, "attribute holding each partner's own household id")
	fs.IntVar(&f.USamples, "u-samples", d.USamples, "random pairs drawn to estimate the non-match probabilities u")
	fs.Uint64Var(&f.Seed, "seed", d.Seed, "seed of the random choices (u sampling, LSH bands)")
	fs.Float64Var(&f.VetoWeight, "veto-weight", d.VetoWeight, "two records whose posterior log2-odds are below this are never put in one person, whatever links them through others")
	fs.Int64Var(&f.DiceMaxPairs, "dice-max-pairs", d.DiceMaxPairs, "also compare all CLK pairs of two partners exhaustively (top-k by Dice) when they have at most this many pairs; -1: never")
	fs.StringVar(&f.District, "district", "", "the district file (swd district init): refuse partners it does not name")
}

// Check refuses settings that cannot work; every error is a usage error
// naming the flag. needOut is false for a run that writes nothing (swd
// link --plan).
func (f *LinkFlags) Check(inputs []string, needOut bool) error {
	switch {
	case needOut && f.Out == "":
		return base.Usagef("--out is required")
	case len(inputs) == 0:
		return base.Usagef("give at least one encoded file (one file: de-duplication)")
	case f.Threshold <= 0 || f.Threshold >= 1:
		return base.Usagef("--threshold must be in (0, 1), not %g", f.Threshold)
	case f.Assignment != "optimal" && f.Assignment != "greedy":
		return base.Usagef("--assignment must be optimal or greedy, not %q", f.Assignment)
	case f.USamples < 1000:
		return base.Usagef("--u-samples must be at least 1000")
	case f.HouseholdMin < 0:
		return base.Usagef("--household-min-weight must not be negative")
	}
	if _, err := linkage.ClusteringMode(f.Clustering); err != nil {
		return base.Usagef("--clustering must be contested, all or merge, not %q", f.Clustering)
	}
	return nil
}

// Linkage is the linkage configuration the flags describe, with the saved
// model (--model) read; workers is the number of goroutines (0: one per
// CPU).
func (f *LinkFlags) Linkage(workers int) (linkage.Config, error) {
	cfg := linkage.Config{
		Workers:            workers,
		Threshold:          f.Threshold,
		USamples:           f.USamples,
		Seed:               f.Seed,
		NoTF:               f.NoTF,
		TF:                 f.TF,
		Clustering:         f.Clustering,
		HouseholdMinWeight: f.HouseholdMin,
		// 0: no such rule (linkage.Config's zero would be its default).
		NoHouseholdMinWeight: f.HouseholdMin == 0,
		NoCoResidence:        f.NoCoResidence,
		NoDedup:              f.NoDedup,
		HouseholdAttr:        f.HouseholdAttr,
		VetoWeight:           f.VetoWeight,
		DiceMaxPairs:         f.DiceMaxPairs,
	}
	if f.Assignment == "greedy" {
		cfg.Assignment = cluster.AssignGreedy
	}
	if f.Model != "" {
		m, err := model.ReadFile(f.Model)
		if err != nil {
			return cfg, err
		}
		cfg.Model = m
	}
	return cfg, nil
}
