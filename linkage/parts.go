package linkage

import (
	"context"
	"fmt"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/model"
)

// The functions of this file expose the steps of Link that a runner which
// partitions the work itself (swd-beam on Apache Beam) must reproduce to get
// the same model and links: which pairs of datasets are compared, with
// which comparisons, how u is sampled and how the model is fitted.

// Job is one comparison of two datasets of a linkage (A == B: the
// duplicates inside one dataset). A and B index the datasets.
type Job struct{ A, B int }

// Dedup reports whether the job looks for duplicates inside one dataset.
func (j Job) Dedup() bool { return j.A == j.B }

// Jobs lists the jobs Link runs on n datasets, in its order: every pair
// A ≤ B, without the A == B jobs when noDedup and n > 1.
func Jobs(n int, noDedup bool) []Job {
	var out []Job
	for a := range n {
		for b := a; b < n; b++ {
			if a == b && n > 1 && noDedup {
				continue
			}
			out = append(out, Job{a, b})
		}
	}
	return out
}

// Space is the number of pairs of a job between datasets of na and nb
// records (na(na−1)/2 for de-duplication, where nb is ignored).
func (j Job) Space(na, nb int) float64 {
	if j.Dedup() {
		return float64(na) * float64(na-1) / 2
	}
	return float64(na) * float64(nb)
}

// Comparisons returns the comparisons Link uses for datasets like d: those
// of cfg.Model or cfg.Comparisons, or the defaults for the field kinds of
// the schema in d's metadata.
func Comparisons(d *encoding.Dataset, cfg Config) ([]model.Comparison, error) {
	return comparisons(d, cfg)
}

// USample says how many random pairs Link draws from job k, whose
// comparison space is space out of total (all jobs), to estimate u, and with
// which seed (see model.SamplePairs); n is 0 for a job without pairs.
func USample(k int, space, total float64, cfg Config) (n int, seed uint64) {
	if space < 1 {
		return 0, 0
	}
	samples := cfg.USamples
	if samples == 0 {
		samples = model.DefaultUSamples
	}
	return max(10_000, int(float64(samples)*space/total)), cfg.Seed + uint64(k)
}

// JobSample is the random-pair sample of one job: the size of its
// comparison space and the agreement patterns of the pairs USample drew.
type JobSample struct {
	Space    float64
	Patterns model.PatternCounts
}

// FitModel fits the model as Link does from the pattern counts of all
// candidate pairs and the random samples of every job (in job order): u is
// the samples' level frequencies weighted by comparison space, the samples'
// patterns are the random patterns of the fallback, and EM runs on the
// candidates. sessions, when not nil, gives the blocked counts of the
// fallback's training sessions (model.EMConfig.SessionCounts); without it
// the sessions use the candidates, so a fallback fit can differ from Link's.
func FitModel(ctx context.Context, cmps []model.Comparison, counts model.PatternCounts, samples []JobSample, cfg Config, sessions func(on []bool) (model.PatternCounts, error)) (*model.Model, error) {
	if err := cfg.ensureDefaults(); err != nil {
		return nil, err
	}
	if counts.Total() == 0 {
		return nil, base.Invalidf("blocking produced no candidate pairs: nothing to fit a model on (are the files from the same population and schema?)")
	}
	u, random, all := uFromSamples(cmps, samples)
	em := cfg.EM
	if em.Progress == nil {
		em.Progress = func(it int) { cfg.Progress(StageEM, int64(it), -1) }
	}
	if em.RandomPatterns == nil {
		em.RandomPatterns = random
	}
	if em.AllPairs == 0 {
		em.AllPairs = all
	}
	if em.SessionCounts == nil {
		em.SessionCounts = sessions
	}
	m, err := model.Fit(ctx, cmps, counts, u, em)
	if err != nil {
		return nil, fmt.Errorf("fitting the model: %w", err)
	}
	for _, w := range m.Warnings {
		cfg.Logger.Warn("model", "warning", w)
	}
	return m, nil
}

// SessionCounts returns the blocked counts of the model fallback's
// training sessions (FitModel's sessions, model.EMConfig.SessionCounts) as
// Link computes them: for each of the n jobs, in job order, the patterns of
// up to sessionMaxPairs/n pairs that agree exactly on the fields of on
// (model.Comparer.BlockedCounts, seeded per job), summed. comparer returns
// a comparer of job k's datasets; it is called only when the fallback asks,
// so a runner that does not hold the datasets can load them then.
func SessionCounts(ctx context.Context, n int, comparer func(k int) (*model.Comparer, error), cfg Config) func(on []bool) (model.PatternCounts, error) {
	return func(on []bool) (model.PatternCounts, error) {
		out := model.PatternCounts{}
		for k := range n {
			c, err := comparer(k)
			if err != nil {
				return nil, err
			}
			pc, _, err := c.BlockedCounts(ctx, on, sessionMaxPairs/n, cfg.Seed+uint64(k)+0x5e55)
			if err != nil {
				return nil, err
			}
			out.Merge(pc)
		}
		return out, nil
	}
}

// uFromSamples weights each job's u by its share of the comparison space
// and merges the samples' patterns; it also returns the total space.
func uFromSamples(cmps []model.Comparison, samples []JobSample) (u [][]float64, random model.PatternCounts, space float64) {
	random = model.PatternCounts{}
	for _, s := range samples {
		space += s.Space
	}
	u = make([][]float64, len(cmps))
	for f, c := range cmps {
		u[f] = make([]float64, c.Levels())
	}
	for _, s := range samples {
		if s.Space < 1 {
			continue
		}
		random.Merge(s.Patterns)
		uj := model.UFromPatterns(cmps, s.Patterns)
		for f := range u {
			for l := range u[f] {
				u[f][l] += uj[f][l] * s.Space / space
			}
		}
	}
	return u, random, space
}

// JobPrior is the prior weight log2(λ/(1−λ)) Link gives the candidates of
// one job: λ refitted by EM on the job's own candidate patterns (counts)
// with the model's m and u fixed; when the model's λ is a rate among all
// pairs (training sessions), λ is a rate over the job's comparison space
// (space). See Model.RefitLambda.
func JobPrior(m *model.Model, counts model.PatternCounts, space float64) float64 {
	if !m.Sessions {
		space = 0
	}
	return model.LogOdds(m.RefitLambda(counts, space))
}

// PairPrior is the prior weight log2(λ/(1−λ)) Link gave the candidates of
// one pair of partners (PartnerA == PartnerB: a partner's duplicates): λ
// refitted on that pair's own candidates (JobPrior).
type PairPrior struct {
	PartnerA string  `parquet:"partner_a" json:"partner_a"`
	PartnerB string  `parquet:"partner_b" json:"partner_b"`
	Weight   float64 `parquet:"weight" json:"weight"`
}

// pairPriors lists the prior of every job, in job order.
func pairPriors(ds []*encoding.Dataset, jobs []*job) []PairPrior {
	out := make([]PairPrior, len(jobs))
	for k, j := range jobs {
		out[k] = PairPrior{PartnerA: ds[j.a].Meta.Partner, PartnerB: ds[j.b].Meta.Partner, Weight: j.prior}
	}
	return out
}

// ClusterConfig is the clustering configuration Link uses with cfg, for a
// runner that scores pairs itself: the threshold and assignment, the
// clustering mode (Config.Clustering) with pairs weighed by weigh, the
// veto of certain non-matches (unless Config.NoVeto) and the household
// rule (Config.HouseholdMinWeight). weigh gives the posterior log2-odds
// (match weight plus the pair's prior, as Edge.Weight) of any two records
// of datasets that are compared, ok false for datasets that are not (a
// partner's own records with Config.NoDedup); it must be deterministic
// and safe to call from the goroutine running cluster.Build. cfg's
// defaults must be set (Config.WithDefaults).
func ClusterConfig(cfg Config, weigh func(a, b cluster.Ref) (float64, bool)) (cluster.Config, error) {
	mode, err := ClusteringMode(cfg.Clustering)
	if err != nil {
		return cluster.Config{}, err
	}
	cc := cluster.DefaultConfig()
	cc.Threshold, cc.Assignment = cfg.Threshold, cfg.Assignment
	cc.Correlation = mode
	cc.HouseholdMinWeight = cfg.HouseholdMinWeight
	if !cfg.NoVeto {
		limit := cfg.VetoWeight
		cc.Veto = func(a, b cluster.Ref) bool {
			w, ok := weigh(a, b)
			return ok && w < limit
		}
		cc.VetoWeight = limit
	}
	cc.Weight = weigh
	return cc, nil
}
