package model

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/welfare-district/swd/internal/base"
)

// ModelVersion is the version of the JSON form of a Model.
const ModelVersion = 1

// Level holds the parameters of one comparison level.
type Level struct {
	Name   string  `json:"name"`
	M      float64 `json:"m"`      // P(level | match); 0 for the missing level
	U      float64 `json:"u"`      // P(level | non-match); 0 for the missing level
	Weight float64 `json:"weight"` // log2(m/u); 0 for the missing level and empty levels
	// Empty marks a level that no candidate pair reached when the model was
	// fitted: its m and u are pure smoothing, so its weight is 0 (neutral)
	// rather than the ratio of two smoothing floors.
	Empty bool `json:"empty,omitempty"`
}

// FieldParams is a comparison with the parameters of its levels.
type FieldParams struct {
	Comparison
	Levels []Level `json:"levels"` // index = level; Levels[0] is "missing"
}

// Model is a fitted Fellegi–Sunter model. Its JSON form (Encode, Decode) is
// what `swd link --model FILE` reads back.
type Model struct {
	Version       int           `json:"version"`
	Fields        []FieldParams `json:"fields"`
	Lambda        float64       `json:"lambda"` // prior P(match) among the pairs EM ran on
	Iterations    int           `json:"iterations"`
	Converged     bool          `json:"converged"`
	LogLikelihood float64       `json:"log_likelihood"`
	Pairs         int64         `json:"pairs"` // candidate pairs counted in the patterns
	// BackgroundPairs is the number of non-candidate pairs EM accounted for
	// through a random sample (EMConfig.Background); 0 when EM ran on the
	// candidates alone.
	BackgroundPairs int64    `json:"background_pairs,omitempty"`
	Patterns        int      `json:"patterns"`           // distinct agreement patterns
	FixedU          bool     `json:"fixed_u"`            // u came from random sampling and was not refitted
	Anchored        bool     `json:"anchored,omitempty"` // the E step used the anchor fields only
	Sessions        bool     `json:"sessions,omitempty"` // m estimated in training sessions (see Fit)
	Identified      bool     `json:"identified"`
	Warnings        []string `json:"warnings,omitempty"`
	// Interactions correct the sum of field weights for pairs of fields
	// that are not independent among non-matches (a place and its
	// postcode): see Interaction.
	Interactions []Interaction `json:"interactions,omitempty"`
	// Joints are the pairs of fields compared together (see Joint).
	Joints []Joint `json:"joints,omitempty"`
}

// Interaction is a correction for two fields that agree together far more
// often among random pairs than independence predicts: when both are at
// their top level, Weight (negative: −log2(u_joint / (u_1 u_2))) is added
// to the match weight, so that one agreement is not counted twice.
type Interaction struct {
	Fields [2]int  `json:"fields"` // indices into Model.Fields, ascending
	Weight float64 `json:"weight"`
}

// interactionWeight is the correction of the interactions for a pattern.
func (m *Model) interactionWeight(levels func(f int) int) float64 {
	w := 0.0
	for _, in := range m.Interactions {
		f, g := in.Fields[0], in.Fields[1]
		if levels(f) == len(m.Fields[f].Levels)-1 && levels(g) == len(m.Fields[g].Levels)-1 {
			w += in.Weight
		}
	}
	return w
}

// Comparisons returns the model's comparisons, in pattern-key order.
func (m *Model) Comparisons() []Comparison {
	out := make([]Comparison, len(m.Fields))
	for f := range m.Fields {
		out[f] = m.Fields[f].Comparison
	}
	return out
}

// PriorWeight is log2(λ/(1-λ)), the weight of the prior odds.
func (m *Model) PriorWeight() float64 { return math.Log2(m.Lambda / (1 - m.Lambda)) }

// Weight is the match weight Σ log2(m/u) of pattern key (missing fields
// add 0).
func (m *Model) Weight(key uint64) float64 {
	levels := make([]int, len(m.Fields))
	for f := range m.Fields {
		n := uint64(len(m.Fields[f].Levels))
		levels[f] = int(key % n)
		key /= n
	}
	return m.patternWeight(func(f int) int { return levels[f] }, m.jointOf())
}

// Probability is the posterior P(match) of a pair whose match weight is w.
func (m *Model) Probability(w float64) float64 {
	return 1 / (1 + math.Exp2(-(w + m.PriorWeight())))
}

// Posterior is the posterior P(match | pattern key).
func (m *Model) Posterior(key uint64) float64 { return m.Probability(m.Weight(key)) }

// setWeights recomputes the level weights from m and u.
func (m *Model) setWeights() {
	for k := range m.Joints {
		j := &m.Joints[k]
		fa, fb := &m.Fields[j.Fields[0]], &m.Fields[j.Fields[1]]
		for a := 1; a < len(fa.Levels); a++ {
			for b := 1; b < len(fb.Levels); b++ {
				c := &j.Cells[m.cell(j, a, b)]
				c.Name = fa.LevelName(a) + " & " + fb.LevelName(b)
				c.Weight = 0
				if !c.Empty {
					c.Weight = math.Log2(c.M / c.U)
				}
			}
		}
	}
	for f := range m.Fields {
		lv := m.Fields[f].Levels
		for l := range lv {
			lv[l].Name = m.Fields[f].LevelName(l)
			switch {
			case l == 0:
				lv[l].M, lv[l].U, lv[l].Weight = 0, 0, 0
			case lv[l].Empty:
				lv[l].Weight = 0
			default:
				lv[l].Weight = math.Log2(lv[l].M / lv[l].U)
			}
		}
	}
}

// Validate checks that the model is complete and its probabilities usable.
func (m *Model) Validate() error {
	if m.Version != ModelVersion {
		return base.Invalidf("model: unsupported model version %d (this swd reads %d)", m.Version, ModelVersion)
	}
	if err := validateComparisons(m.Comparisons()); err != nil {
		return base.Mark(err, base.ErrInvalidInput)
	}
	if !(m.Lambda > 0 && m.Lambda < 1) {
		return base.Invalidf("model: lambda must be in (0, 1)")
	}
	for _, in := range m.Interactions {
		f, g := in.Fields[0], in.Fields[1]
		if !(f >= 0 && f < g && g < len(m.Fields)) || math.IsNaN(in.Weight) || math.IsInf(in.Weight, 0) {
			return base.Invalidf("model: an interaction must name two distinct fields in ascending order and have a finite weight")
		}
	}
	if err := m.validateJoints(); err != nil {
		return err
	}
	for _, fp := range m.Fields {
		if len(fp.Levels) != fp.Comparison.Levels() {
			return base.Invalidf("model: field %q has %d levels, its comparison %d", fp.Field, len(fp.Levels), fp.Comparison.Levels())
		}
		var sm, su float64
		for l := 1; l < len(fp.Levels); l++ {
			lv := fp.Levels[l]
			if !(lv.M > 0 && lv.M <= 1 && lv.U > 0 && lv.U <= 1) {
				return base.Invalidf("model: field %q level %d: m and u must be in (0, 1]", fp.Field, l)
			}
			sm += lv.M
			su += lv.U
		}
		if math.Abs(sm-1) > 1e-6 || math.Abs(su-1) > 1e-6 {
			return base.Invalidf("model: field %q: m and u must each sum to 1 over the non-missing levels", fp.Field)
		}
	}
	return nil
}

// Encode writes the model as indented JSON.
func (m *Model) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// Decode reads and validates a model written by Encode; weights are
// recomputed from m and u. name is used in errors.
func Decode(r io.Reader, name string) (*Model, error) {
	var m Model
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		// The decoder's message can quote the file's bytes; say where it
		// stopped instead.
		return nil, fmt.Errorf("model: %w", &base.InputError{File: name,
			Reason: fmt.Sprintf("not a model JSON file (stopped at byte %d)", dec.InputOffset())})
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m.setWeights()
	return &m, nil
}

// ReadFile reads a model saved with Encode.
func ReadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	defer f.Close()
	return Decode(f, path)
}

// RefitLambda is the prior λ that EM finds for the pairs of counts with m
// and u fixed: the mean posterior over the pairs, iterated to its fixed
// point. With space > 0 the pairs are that many (the counted ones and
// others taken as non-matches), so λ is a rate among all of them.
func (m *Model) RefitLambda(counts PatternCounts, space float64) float64 {
	keys := counts.Keys()
	weights := make([]float64, len(keys))
	var n float64
	for i, k := range keys {
		weights[i] = m.Weight(k)
		n += float64(counts[k])
	}
	if n == 0 {
		return m.Lambda
	}
	space = math.Max(space, n)
	lambda := m.Lambda
	for range 1000 {
		prior := LogOdds(lambda)
		var matches float64
		for i, k := range keys {
			matches += float64(counts[k]) / (1 + math.Exp2(-(weights[i] + prior)))
		}
		next := clampOpen(matches / space)
		if math.Abs(next-lambda) <= 1e-9*lambda {
			return next
		}
		lambda = next
	}
	return lambda
}

// LogOdds is log2(p/(1−p)): the prior weight of a prior p, the posterior
// log-odds of a probability p.
func LogOdds(p float64) float64 { return math.Log2(p / (1 - p)) }
