package linkage

import (
	"log/slog"
	"runtime"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/model"
)

// Defaults of Config.
const (
	DefaultThreshold     = 0.5
	DefaultHouseholdAttr = "household"
	// DefaultVetoWeight: two records whose posterior log2-odds of being one
	// person are below this (P < 1e-6) never end up in one person, whatever
	// links them through others. The posterior holds the pair's prior
	// (about −14 bits on NCVR's 5,000-record parties, less on larger
	// files), so −10 vetoed pairs whose fields favoured a match; since
	// contested components are solved on all their pairs (Config.Clustering)
	// the veto only needs to catch certain non-matches (docs/linkage.md §8,
	// 2026-12-06: NCVR exact-cluster F1 +0.002, FEBRL3 F1 +0.0006, the
	// synthetic district unchanged at 20,000 and 400,000 households).
	DefaultVetoWeight = -20.0
	// DefaultHouseholdMinWeight: a person who alone joins two partner
	// households must be linked across them by a pair of at least these
	// posterior log2-odds (P ≥ 0.992), or is split there. On the synth data
	// (medium corruption, five partners) it raised households F1 from
	// 0.9873 to 0.9902 at 400,000 households, where chance look-alikes
	// multiply (4 bits: 0.9896), for persons F1 0.9938–0.9942 instead of
	// 0.9944–0.9946 at 20,000 households (docs/linkage.md §8).
	DefaultHouseholdMinWeight = 7.0
	// DefaultSeed seeds the random pairs that estimate u, and with them
	// the fitted model: swd link's default, so that a run is reproducible.
	DefaultSeed = 1
)

// DefaultConfig is the configuration swd link runs with when given no
// flags: the seed DefaultSeed and every other field at its default (Link
// fills them in; WithDefaults shows them). Code that must link as swd link
// does, such as the quality tests, starts from it; swd link's own flags
// are checked against it.
func DefaultConfig() Config { return Config{Seed: DefaultSeed} }

// Config configures Link. The zero value means the defaults.
type Config struct {
	// Workers is the number of goroutines for comparison work (default:
	// all cores).
	Workers int
	// Threshold is the posterior match probability a link needs (default
	// 0.5).
	Threshold float64
	// Blocking lists the blocking passes; nil derives them from the data
	// (DefaultBlocking).
	Blocking *blocking.Config
	// DiceMaxPairs: jobs whose comparison space (records of A × records of
	// B) is at most this many pairs are also searched exhaustively with the
	// Dice kernel on the CLKs, and the pairs reaching DiceThreshold join the
	// candidates (default DefaultDiceMaxPairs; < 0 disables the pass).
	DiceMaxPairs int64
	// DiceThreshold is the CLK Dice of the exhaustive pass (default
	// DefaultDiceThreshold).
	DiceThreshold float64
	// DiceTopK keeps the best DiceTopK pairs of each record in the pass
	// (default DefaultDiceTopK).
	DiceTopK int
	// Comparisons say how each field is compared; nil uses the defaults for
	// the field kinds of the encoding schema.
	Comparisons []model.Comparison
	// Model is a previously fitted model to apply (no EM): its m and u as
	// they are, its λ refitted for each pair of partners on their
	// candidates (see jobPriors), as a fitted model's is.
	Model *model.Model
	// USamples is the number of random pairs drawn to estimate u (default
	// model.DefaultUSamples).
	USamples int
	// Seed makes the random choices (u sampling, LSH bands) reproducible.
	Seed uint64
	// ReleaseBlockKeys lets Link drop the datasets' keyed blocking-key
	// columns (it sets each Dataset.BlockKeys to nil) as soon as the
	// candidate pairs are built: nothing after the blocking reads them,
	// and they are a fifth of an encoded record's memory (four keys of the
	// synth schema, 140 bytes a record). For a caller that does not use
	// the datasets after Link (swd link).
	ReleaseBlockKeys bool
	// EM configures the EM fit. Unless FixedU is set, Link refits u by EM
	// too (EM.UpdateU), starting from the sampled u: the candidates of
	// blocking are not random pairs (members of one household agree on
	// surname, address and phone), and a non-match class pinned to random
	// pairs would push those look-alike non-matches into the match class.
	EM model.EMConfig
	// FixedU keeps u as sampled from random pairs (the classic estimate).
	FixedU bool
	// NoTF disables the term-frequency adjustment of exact agreements.
	NoTF bool
	// TF names the fields whose exact agreements get the term-frequency
	// adjustment (none by default; see docs/linkage.md for what it is
	// worth per field). Ignored with Comparisons or Model, which say it
	// themselves.
	TF []string
	// Assignment is the one-to-one assignment between two partners.
	Assignment cluster.Assignment
	// HouseholdAttr is the attribute holding each partner's own household id
	// (default "household").
	HouseholdAttr string
	// NoDedup skips the search for duplicates inside each partner's file when
	// several files are linked (a single file is always de-duplicated).
	NoDedup bool
	// VetoWeight is the posterior log2-odds below which two records are a
	// certain non-match that no chain of links may join (default
	// DefaultVetoWeight). NoVeto disables the check.
	VetoWeight float64
	NoVeto     bool
	// MemoryLimit is the memory Link aims to stay within, in bytes: when
	// the candidate pairs of all partner pairs (held compactly between the
	// model's fit and the scoring) would not fit beside the datasets, the
	// rest are spilled to SpillDir. 0 or less: no limit.
	MemoryLimit int64
	// SpillDir is the directory of spill files, removed before Link
	// returns ("" = the system's temporary directory).
	SpillDir string
	// Clustering selects the components solved on all their pairs (see
	// cluster.Config.Correlation): "contested" (the default), "all" or
	// "merge" (none: links merged heaviest first).
	Clustering string
	// HouseholdMinWeight: a person who alone joins two partner households
	// must be linked across them by a pair of at least this posterior
	// log2-odds, or be split there (see cluster.Config.HouseholdMinWeight;
	// default DefaultHouseholdMinWeight). NoHouseholdMinWeight: no such
	// rule.
	HouseholdMinWeight   float64
	NoHouseholdMinWeight bool
	// NoCoResidence: households are not joined by a phone number and an
	// address they alone share (see CoResidenceKeys and cluster.Build),
	// only by person links and the partners' household ids.
	NoCoResidence bool
	// Logger receives progress and summaries (never personal data). Nil:
	// discard.
	Logger *slog.Logger
	// Progress, when set, is told how far each stage has come: done of
	// total units (total -1: not known in advance), the stage being one of
	// the Stage constants; StageUnit names what a stage counts.
	Progress func(stage string, done, total int64)
}

// Stages of a linkage, as Config.Progress names them.
const (
	StageBlocking   = "blocking"
	StagePatterns   = "patterns"
	StageUSampling  = "u sampling"
	StageEM         = "EM fitting"
	StageScoring    = "scoring"
	StageClustering = "clustering"
)

// StageUnit is what a stage's progress counts.
func StageUnit(stage string) string {
	switch stage {
	case StageBlocking, StageUSampling:
		return "partner pairs"
	case StagePatterns, StageScoring:
		return "pairs"
	case StageEM:
		return "iterations"
	case StageClustering:
		return "links"
	}
	return "items"
}

// Clustering modes of Config.Clustering.
const (
	ClusteringContested = "contested"
	ClusteringAll       = "all"
	ClusteringMerge     = "merge"
)

// ClusteringMode is the cluster.Correlation of a Config.Clustering mode
// ("" is the default, contested), or a usage error.
func ClusteringMode(s string) (cluster.Correlation, error) {
	switch s {
	case "", ClusteringContested:
		return cluster.CorrelationContested, nil
	case ClusteringAll:
		return cluster.CorrelationAll, nil
	case ClusteringMerge:
		return cluster.CorrelationOff, nil
	}
	return 0, base.Usagef("linkage: clustering must be contested, all or merge, not %q", s)
}

// WithDefaults returns c with every unset field at its default, as Link
// runs it, or a usage error when a field is out of range.
func (c Config) WithDefaults() (Config, error) {
	err := c.ensureDefaults()
	return c, err
}

func (c *Config) ensureDefaults() error {
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Workers < 0 {
		return base.Usagef("linkage: workers must be positive")
	}
	if c.Threshold == 0 {
		c.Threshold = DefaultThreshold
	}
	if c.Threshold <= 0 || c.Threshold >= 1 {
		return base.Usagef("linkage: the match threshold must be a probability in (0, 1), not %g", c.Threshold)
	}
	if c.DiceMaxPairs == 0 {
		c.DiceMaxPairs = DefaultDiceMaxPairs
	}
	if c.DiceTopK == 0 {
		c.DiceTopK = DefaultDiceTopK
	}
	if c.DiceThreshold == 0 {
		c.DiceThreshold = DefaultDiceThreshold
	}
	if c.USamples == 0 {
		c.USamples = model.DefaultUSamples
	}
	if !c.FixedU {
		c.EM.UpdateU = true
	}
	if c.VetoWeight == 0 {
		c.VetoWeight = DefaultVetoWeight
	}
	if _, err := ClusteringMode(c.Clustering); err != nil {
		return err
	}
	if c.Clustering == "" {
		c.Clustering = ClusteringContested
	}
	switch {
	case c.NoHouseholdMinWeight:
		c.HouseholdMinWeight = 0
	case c.HouseholdMinWeight == 0:
		c.HouseholdMinWeight = DefaultHouseholdMinWeight
	}
	if c.HouseholdAttr == "" {
		c.HouseholdAttr = DefaultHouseholdAttr
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Progress == nil {
		c.Progress = func(string, int64, int64) {}
	}
	return nil
}
