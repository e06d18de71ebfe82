package model

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/welfare-district/swd/internal/base"
)

// EMConfig configures Fit. The zero value means the defaults.
type EMConfig struct {
	// Progress, when set, is called after every EM iteration with its
	// number (from 1; EM usually converges long before MaxIterations).
	Progress      func(iteration int)
	MaxIterations int     // default 1000
	Tolerance     float64 // stop when no parameter moves more than this; default 1e-7
	Alpha         float64 // Laplace pseudo-count per level in the M step; default 1
	InitialLambda float64 // starting prior; default 0.1
	// FixLambda keeps λ at InitialLambda instead of fitting it, for when
	// the match rate is known better than EM can find it (for example at
	// most min(|A|,|B|) matches among |A|·|B| pairs).
	FixLambda bool
	// UpdateU refits u by EM too, starting from the sampled u (or from a
	// default shape when u is nil); without it u stays as sampled from
	// random pairs. Fixed u is right only when EM sees all pairs (see
	// Background): among blocked candidates the non-matches are far more
	// similar than random pairs, so with fixed u EM explains every
	// candidate as a match (λ → 1; on NCVR 5-party with CLK Dice ≥ 0.7
	// candidates it did). swd link sets UpdateU unless asked for fixed u.
	UpdateU bool
	// NoAnchors disables anchoring (see Comparison.Anchor): the E step
	// then uses every field.
	NoAnchors bool
	// NoJoints compares every field on its own, ignoring the groups of the
	// comparisons (see Joint).
	NoJoints bool
	// Background stands for the pairs that are not candidates, as the
	// patterns of a random sample of pairs (SamplePatterns), each sampled
	// pair counting BackgroundWeight pairs (typically (all pairs −
	// candidates) / samples). EM then runs on all pairs, as fastLink does,
	// instead of on the candidates alone: blocking selects pairs that are
	// similar somewhere, which breaks conditional independence among the
	// candidates and can make EM find "same place" instead of "same
	// person". λ is then the match rate among all pairs.
	Background       PatternCounts
	BackgroundWeight float64
	// AllPairs is the number of pairs the candidates were drawn from (the
	// comparison space of every job). Fit uses it when it falls back to
	// training sessions, whose λ is the match rate among all pairs; 0
	// counts only the candidates.
	AllPairs float64
	// SessionCounts, when set, returns the pattern counts of the pairs
	// that agree exactly on the fields of on (a blocking on them, such as
	// Comparer.BlockedCounts over every pair of datasets): the training
	// sessions of the fallback use them instead of the candidates that
	// agree on those fields, whose other fields were selected to be
	// similar by blocking.
	SessionCounts func(on []bool) (PatternCounts, error)
	// RandomPatterns is a sample of the patterns of random pairs (the one
	// behind u): the fallback finds in it the fields that are not
	// independent among non-matches (Model.Interactions).
	RandomPatterns PatternCounts
}

func (c EMConfig) withDefaults() EMConfig {
	if c.MaxIterations <= 0 {
		c.MaxIterations = 1000
	}
	if c.Tolerance <= 0 {
		c.Tolerance = 1e-7
	}
	if c.Alpha <= 0 {
		c.Alpha = 1
	}
	if c.InitialLambda <= 0 || c.InitialLambda >= 1 {
		c.InitialLambda = 0.1
	}
	return c
}

// emPattern is one distinct agreement pattern with its count.
type emPattern struct {
	levels []int
	n      float64
}

// Fit estimates m and λ (and u with UpdateU) by EM on the pattern counts,
// under conditional independence of the fields given the match status.
// u[f][l] are the non-match probabilities of EstimateU (u[f][0] ignored).
//
// EM starts from m rising steeply with the level (so the match class starts
// on the similar patterns) and iterates until no parameter moves more than
// Tolerance or MaxIterations is reached (Converged says which). Patterns are
// visited in key order, so the result is bit-for-bit reproducible. After
// fitting, identifiability is checked: if the class called "match" is the
// dissimilar one (the sum over fields of the top-level minus the else-level
// weight is negative), the classes are swapped when u was refitted and the
// model is marked not identified otherwise; fields whose weights fall by
// more than one bit from a level to the next get a warning. Levels that no
// candidate pair reached are marked Empty and weigh 0.
func Fit(ctx context.Context, cmps []Comparison, counts PatternCounts, u [][]float64, cfg EMConfig) (*Model, error) {
	cfg = cfg.withDefaults()
	if err := validateComparisons(cmps); err != nil {
		return nil, err
	}
	if u == nil && !cfg.UpdateU {
		return nil, base.Usagef("model: fixed-u EM needs the sampled u")
	}
	if u != nil {
		if err := checkU(cmps, u); err != nil {
			return nil, err
		}
	}
	all := map[uint64]float64{}
	var pairs, background int64
	for k, n := range counts {
		if n > 0 {
			all[k] += float64(n)
			pairs += n
		}
	}
	if cfg.BackgroundWeight > 0 {
		for k, n := range cfg.Background {
			if n > 0 {
				all[k] += float64(n) * cfg.BackgroundWeight
			}
		}
		background = int64(math.Round(float64(cfg.Background.Total()) * cfg.BackgroundWeight))
	}
	pats := make([]emPattern, 0, len(all))
	for _, k := range slices.Sorted(maps.Keys(all)) {
		pats = append(pats, emPattern{DecodePattern(cmps, k, nil), all[k]})
	}
	if len(pats) == 0 {
		return nil, base.Invalidf("model: no candidate pairs to fit")
	}
	fitWith := func(cfg EMConfig, anchors []bool) (*Model, error) {
		m := newModel(cmps, u, cfg)
		m.Pairs, m.BackgroundPairs, m.Patterns = pairs, background, len(pats)
		m.Anchored = anchors != nil
		if err := m.run(ctx, pats, cfg, anchors); err != nil {
			return nil, err
		}
		return m, nil
	}
	m, err := fitWith(cfg, nil)
	if err != nil {
		return nil, err
	}
	anchors := anchorMask(cmps, cfg)
	if anchors == nil || m.anchorsRewarded() {
		return m, nil
	}
	// EM on every field found a class that does not agree on who people
	// are (typically "same household" or "same place"): refit deciding
	// matches on the anchor fields only. Joint comparisons count as one
	// indicator there; with fewer than three indicators (two name fields
	// taken jointly would be a single one) the classes are not identified,
	// and each anchor counts on its own.
	acfg := cfg
	if indicators(cmps, anchors, cfg) < 3 {
		acfg.NoJoints = true
	}
	am, err := fitWith(acfg, anchors)
	if err != nil {
		return nil, err
	}
	if !am.anchorsRewarded() && u != nil {
		// Anchoring did not help either: with few fields, two of them
		// redundant (a place and its postcode), the anchors alone cannot
		// identify the classes. Estimate each side's m in sessions where
		// the other side agrees.
		sm, err := fitSessions(ctx, cmps, pats, u, cfg, anchors, cfg.AllPairs)
		if err != nil {
			return nil, err
		}
		if sm != nil && sm.anchorsRewarded() {
			sm.Warnings = append(sm.Warnings, "EM on the candidates, on all fields or on the anchor fields, found a class that disagrees on identity fields (such as same place); m was estimated in training sessions instead, u from random pairs, λ among all pairs")
			return sm, nil
		}
	}
	if !am.anchorsRewarded() {
		m.Warnings = append(m.Warnings, "the match class does not reward exact agreement on every identity field, with or without anchoring: check the links")
		return m, nil
	}
	am.Warnings = append(am.Warnings, "EM on all fields found a class that disagrees on identity fields (such as same household); matches were decided on the anchor fields")
	return am, nil
}

// run iterates EM to convergence and checks the result.
func (m *Model) run(ctx context.Context, pats []emPattern, cfg EMConfig, anchors []bool) error {
	m.markEmpty(pats)
	for it := 1; it <= cfg.MaxIterations; it++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("model: EM: %w", err)
		}
		delta, ll := emStep(m, pats, cfg, anchors)
		m.Iterations, m.LogLikelihood = it, ll
		if cfg.Progress != nil {
			cfg.Progress(it)
		}
		if delta < cfg.Tolerance {
			m.Converged = true
			break
		}
	}
	m.setWeights()
	m.checkIdentifiability()
	return nil
}

// anchorsRewarded reports whether exact agreement (the top level) on every
// anchor field has a positive weight, as it must for a class of same-person
// pairs. A "same household" class fails it on given names, sex and birth
// dates.
func (m *Model) anchorsRewarded() bool {
	for _, fp := range m.Fields {
		top := fp.Levels[len(fp.Levels)-1]
		if fp.Anchor && !top.Empty && top.Weight <= 0 {
			return false
		}
	}
	return true
}

func newModel(cmps []Comparison, u [][]float64, cfg EMConfig) *Model {
	m := &Model{Version: ModelVersion, Lambda: cfg.InitialLambda, FixedU: !cfg.UpdateU, Identified: true}
	for f, c := range cmps {
		fp := FieldParams{Comparison: c, Levels: make([]Level, c.Levels())}
		var sm, su float64
		for l := 1; l < len(fp.Levels); l++ {
			fp.Levels[l].M = math.Pow(4, float64(l))
			sm += fp.Levels[l].M
			if u != nil {
				fp.Levels[l].U = u[f][l]
			} else {
				fp.Levels[l].U = math.Pow(4, -float64(l))
				su += fp.Levels[l].U
			}
		}
		for l := 1; l < len(fp.Levels); l++ {
			fp.Levels[l].M /= sm
			if u == nil {
				fp.Levels[l].U /= su
			}
		}
		m.Fields = append(m.Fields, fp)
	}
	if !cfg.NoJoints {
		m.newJoints()
	}
	return m
}

func checkU(cmps []Comparison, u [][]float64) error {
	if len(u) != len(cmps) {
		return base.Usagef("model: u has %d fields, the comparisons %d", len(u), len(cmps))
	}
	for f, c := range cmps {
		if len(u[f]) != c.Levels() {
			return base.Usagef("model: u for field %q has %d levels, want %d", c.Field, len(u[f]), c.Levels())
		}
		for l := 1; l < len(u[f]); l++ {
			if !(u[f][l] > 0 && u[f][l] <= 1) {
				return base.Usagef("model: u for field %q level %d must be in (0, 1]", c.Field, l)
			}
		}
	}
	return nil
}

// emStep runs one E and one M step, updating m in place; it returns the
// largest parameter change and the log-likelihood before the update.
// Fields of a joint comparison whose partner is present count through the
// joint's cell; their own levels are still estimated from every pair where
// they are present (they weigh the pairs where the partner is missing).
func emStep(m *Model, pats []emPattern, cfg EMConfig, anchors []bool) (delta, ll float64) {
	sm := make([][]float64, len(m.Fields)) // expected match counts per level
	su := make([][]float64, len(m.Fields))
	for f := range m.Fields {
		sm[f] = make([]float64, len(m.Fields[f].Levels))
		su[f] = make([]float64, len(m.Fields[f].Levels))
	}
	jm := make([][]float64, len(m.Joints)) // expected match counts per cell
	ju := make([][]float64, len(m.Joints))
	for k, j := range m.Joints {
		jm[k] = make([]float64, len(j.Cells))
		ju[k] = make([]float64, len(j.Cells))
	}
	jointOf := m.jointOf()
	uses := func(f int) bool { return anchors == nil || anchors[f] }
	logL, log1L := math.Log(m.Lambda), math.Log1p(-m.Lambda)
	var nMatch, nTotal float64
	for _, p := range pats {
		lv := func(f int) int { return p.levels[f] }
		lm, lu := logL, log1L
		for f, l := range p.levels {
			if l == 0 || !uses(f) {
				continue
			}
			if k := jointOf[f]; k >= 0 && jointActive(&m.Joints[k], lv) && uses(m.Joints[k].Fields[0]) && uses(m.Joints[k].Fields[1]) {
				continue
			}
			lm += math.Log(m.Fields[f].Levels[l].M)
			lu += math.Log(m.Fields[f].Levels[l].U)
		}
		for k := range m.Joints {
			j := &m.Joints[k]
			if jointActive(j, lv) && uses(j.Fields[0]) && uses(j.Fields[1]) {
				c := j.Cells[m.cell(j, p.levels[j.Fields[0]], p.levels[j.Fields[1]])]
				lm += math.Log(c.M)
				lu += math.Log(c.U)
			}
		}
		mx := math.Max(lm, lu)
		ll += p.n * (mx + math.Log(math.Exp(lm-mx)+math.Exp(lu-mx)))
		g := 1 / (1 + math.Exp(lu-lm))
		nMatch += p.n * g
		nTotal += p.n
		for f, l := range p.levels {
			sm[f][l] += p.n * g
			su[f][l] += p.n * (1 - g)
		}
		for k := range m.Joints {
			j := &m.Joints[k]
			if jointActive(j, lv) {
				c := m.cell(j, p.levels[j.Fields[0]], p.levels[j.Fields[1]])
				jm[k][c] += p.n * g
				ju[k][c] += p.n * (1 - g)
			}
		}
	}
	if !cfg.FixLambda {
		lambda := clampOpen(nMatch / nTotal)
		delta = math.Abs(lambda - m.Lambda)
		m.Lambda = lambda
	}
	for f := range m.Fields {
		normalise(sm[f], cfg.Alpha)
		normalise(su[f], cfg.Alpha)
		lv := m.Fields[f].Levels
		for l := 1; l < len(lv); l++ {
			delta = math.Max(delta, math.Abs(sm[f][l]-lv[l].M))
			lv[l].M = sm[f][l]
			if cfg.UpdateU {
				delta = math.Max(delta, math.Abs(su[f][l]-lv[l].U))
				lv[l].U = su[f][l]
			}
		}
	}
	for k := range m.Joints {
		cells := m.Joints[k].Cells
		normaliseCells(jm[k], cfg.Alpha)
		normaliseCells(ju[k], cfg.Alpha)
		for c := range cells {
			delta = math.Max(delta, math.Abs(jm[k][c]-cells[c].M))
			cells[c].M = jm[k][c]
			if cfg.UpdateU {
				delta = math.Max(delta, math.Abs(ju[k][c]-cells[c].U))
				cells[c].U = ju[k][c]
			}
		}
	}
	return delta, ll
}

// normaliseCells turns the expected counts of a joint's cells into
// probabilities with alpha pseudo-counts per cell.
func normaliseCells(x []float64, alpha float64) {
	total := 0.0
	for _, v := range x {
		total += v + alpha
	}
	for i := range x {
		x[i] = (x[i] + alpha) / total
	}
}

// indicators counts the independent indicators of the fields in mask
// (nil: all): each field, a joint comparison of two of them as one.
func indicators(cmps []Comparison, mask []bool, cfg EMConfig) int {
	n := 0
	for f := range cmps {
		if mask == nil || mask[f] {
			n++
		}
	}
	if cfg.NoJoints {
		return n
	}
	for _, j := range jointPairs(cmps) {
		if mask == nil || mask[j[0]] && mask[j[1]] {
			n--
		}
	}
	return n
}

// anchorMask returns which fields the E step uses: the anchors, when some
// but not all comparisons are anchors and anchoring is on; nil (all
// fields) otherwise.
func anchorMask(cmps []Comparison, cfg EMConfig) []bool {
	if cfg.NoAnchors {
		return nil
	}
	mask := make([]bool, len(cmps))
	n := 0
	for f, c := range cmps {
		if c.Anchor {
			mask[f] = true
			n++
		}
	}
	if n == 0 || n == len(cmps) {
		return nil
	}
	return mask
}

// markEmpty flags the levels no pattern reaches.
func (m *Model) markEmpty(pats []emPattern) {
	for f := range m.Fields {
		for l := 1; l < len(m.Fields[f].Levels); l++ {
			m.Fields[f].Levels[l].Empty = true
		}
	}
	for k := range m.Joints {
		for c := range m.Joints[k].Cells {
			m.Joints[k].Cells[c].Empty = true
		}
	}
	for _, p := range pats {
		for f, l := range p.levels {
			m.Fields[f].Levels[l].Empty = false
		}
		for k := range m.Joints {
			j := &m.Joints[k]
			if a, b := p.levels[j.Fields[0]], p.levels[j.Fields[1]]; a > 0 && b > 0 {
				j.Cells[m.cell(j, a, b)].Empty = false
			}
		}
	}
}

// monotoneSlack is how far (in bits) a level's weight may fall below the
// level under it before Fit warns: small inversions between neighbouring
// levels with few pairs are sampling noise.
const monotoneSlack = 1.0

// clampOpen keeps a probability strictly inside (0, 1).
func clampOpen(p float64) float64 { return math.Min(math.Max(p, 1e-12), 1-1e-12) }

// checkIdentifiability swaps classes that EM labelled the wrong way round
// (when u was refitted) or marks the model not identified, and warns about
// fields whose weights do not increase with the level.
func (m *Model) checkIdentifiability() {
	if m.FixedU && m.Lambda > 0.5 {
		m.Identified = false
		m.Warnings = append(m.Warnings, "EM with fixed u put most pairs in the match class: the sampled u does not describe the non-matches among the candidates; refit u")
	}
	if m.separation() < 0 {
		if m.FixedU {
			m.Identified = false
			m.Warnings = append(m.Warnings, "EM did not identify the match class: the fitted match class is less similar than the non-match class")
		} else {
			for f := range m.Fields {
				lv := m.Fields[f].Levels
				for l := range lv {
					lv[l].M, lv[l].U = lv[l].U, lv[l].M
				}
			}
			for k := range m.Joints {
				cells := m.Joints[k].Cells
				for c := range cells {
					cells[c].M, cells[c].U = cells[c].U, cells[c].M
				}
			}
			m.Lambda = 1 - m.Lambda
			m.setWeights()
			m.Warnings = append(m.Warnings, "EM converged with the classes swapped; swapped them back")
		}
	}
	for _, fp := range m.Fields {
		for l := 2; l < len(fp.Levels); l++ {
			if fp.Levels[l].Empty || fp.Levels[l-1].Empty {
				continue
			}
			if fp.Levels[l].Weight < fp.Levels[l-1].Weight-monotoneSlack {
				m.Warnings = append(m.Warnings, fmt.Sprintf("field %q: weight of level %q is below that of %q", fp.Field, fp.Levels[l].Name, fp.Levels[l-1].Name))
			}
		}
	}
}

// separation is Σ_f (weight of the top level − weight of the else level):
// positive when the match class is the similar one.
func (m *Model) separation() float64 {
	s := 0.0
	for _, fp := range m.Fields {
		s += fp.Levels[len(fp.Levels)-1].Weight - fp.Levels[1].Weight
	}
	return s
}
