package model

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/welfare-district/swd/internal/base"
)

// fitSessions estimates the model in training sessions, as Splink does,
// when EM on the candidates does not find persons (see Fit): u stays as
// sampled from random pairs; the m of the anchor fields is estimated by EM
// on the candidates that agree exactly on every other field, and the m of
// the other fields on the candidates that agree exactly on every anchor.
// Inside a session the conditioning fields are constant, so they cannot
// carry the match class: EM must find it on the remaining fields, whose
// non-matches are compared with the random-pair u. λ is then the match rate
// among all pairs (allPairs, candidates and not): the non-candidates are
// taken as non-matches, and λ is refitted with m and u fixed.
//
// Sessions are robust to fields that are strongly dependent among
// non-matches (a place name and its postcode), which break the conditional
// independence of one EM over every field. It returns nil when a session
// has no pair to learn from.
func fitSessions(ctx context.Context, cmps []Comparison, pats []emPattern, u [][]float64, cfg EMConfig, anchors []bool, allPairs float64) (*Model, error) {
	ucfg := cfg
	ucfg.UpdateU = false
	ucfg.NoJoints = true // sessions learn each side's fields on their own
	m := newModel(cmps, u, ucfg)
	m.markEmpty(pats)
	m.Interactions = dependentFields(cmps, cfg.RandomPatterns)
	var sessPairs float64
	sessions := [][]bool{anchors, complement(anchors)}
	for _, learn := range sessions {
		var sub []emPattern
		if cfg.SessionCounts != nil {
			pc, err := cfg.SessionCounts(complement(learn))
			if err != nil {
				return nil, err
			}
			for _, k := range slices.Sorted(maps.Keys(pc)) {
				sub = append(sub, emPattern{DecodePattern(cmps, k, nil), float64(pc[k])})
			}
		} else {
			for _, p := range pats {
				if agreesOn(m, p.levels, complement(learn)) {
					sub = append(sub, p)
				}
			}
		}
		if len(sub) == 0 {
			return nil, nil
		}
		for _, p := range sub {
			sessPairs += p.n
		}
		lambda := 0.5
		saved := make([][]float64, len(m.Fields))
		for f := range m.Fields {
			for _, lv := range m.Fields[f].Levels {
				saved[f] = append(saved[f], lv.U)
			}
		}
		for it := 1; it <= cfg.MaxIterations; it++ {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("model: EM: %w", err)
			}
			var delta float64
			lambda, delta = sessionStep(m, sub, cfg, learn, lambda)
			if delta < cfg.Tolerance {
				break
			}
		}
		for f := range m.Fields {
			for l := range m.Fields[f].Levels {
				m.Fields[f].Levels[l].U = saved[f][l]
			}
		}
	}
	m.setWeights()
	// λ among all pairs, with m and u fixed.
	var total float64
	for _, p := range pats {
		total += p.n
	}
	allPairs = math.Max(allPairs, total)
	lambda := math.Min(0.1, total/allPairs)
	for it := 1; it <= cfg.MaxIterations; it++ {
		prior := math.Log2(lambda / (1 - lambda))
		var matches float64
		for _, p := range pats {
			w := prior + m.interactionWeight(func(f int) int { return p.levels[f] })
			for f, l := range p.levels {
				w += m.Fields[f].Levels[l].Weight
			}
			matches += p.n / (1 + math.Exp2(-w))
		}
		next := clampOpen(matches / allPairs)
		delta := math.Abs(next - lambda)
		lambda = next
		m.Iterations = it
		if delta < cfg.Tolerance*lambda {
			m.Converged = true
			break
		}
	}
	m.Lambda = lambda
	m.Pairs, m.Patterns = int64(total), len(pats)
	m.BackgroundPairs = int64(allPairs - total)
	m.Sessions = true
	m.checkIdentifiability()
	return m, nil
}

// sessionStep is one EM step over the patterns of a session: the E step on
// the learn fields, the M step updating their m; it returns the session's λ
// and the largest change.
func sessionStep(m *Model, pats []emPattern, cfg EMConfig, learn []bool, lambda float64) (float64, float64) {
	sm := make([][]float64, len(m.Fields)) // expected match counts per level
	for f := range m.Fields {
		if learn[f] {
			sm[f] = make([]float64, len(m.Fields[f].Levels))
		}
	}
	logL, log1L := math.Log(lambda), math.Log1p(-lambda)
	var nMatch, nTotal float64
	for _, p := range pats {
		lm, lu := logL, log1L
		for f, l := range p.levels {
			if l > 0 && learn[f] {
				lm += math.Log(m.Fields[f].Levels[l].M)
				lu += math.Log(m.Fields[f].Levels[l].U)
			}
		}
		for _, in := range m.Interactions {
			f, g := in.Fields[0], in.Fields[1]
			if learn[f] && learn[g] && p.levels[f] == len(m.Fields[f].Levels)-1 && p.levels[g] == len(m.Fields[g].Levels)-1 {
				lu -= in.Weight * math.Ln2
			}
		}
		g := 1 / (1 + math.Exp(lu-lm))
		nMatch += p.n * g
		nTotal += p.n
		for f, l := range p.levels {
			if learn[f] {
				sm[f][l] += p.n * g
			}
		}
	}
	next := clampOpen(nMatch / nTotal)
	delta := math.Abs(next - lambda)
	for f := range m.Fields {
		if !learn[f] {
			continue
		}
		normalise(sm[f], cfg.Alpha)
		lv := m.Fields[f].Levels
		for l := 1; l < len(lv); l++ {
			delta = math.Max(delta, math.Abs(sm[f][l]-lv[l].M))
			lv[l].M = sm[f][l]
		}
	}
	return next, delta
}

// agreesOn reports whether the pattern is at the top level of every field
// of the set.
func agreesOn(m *Model, levels []int, set []bool) bool {
	for f, l := range levels {
		if set[f] && l != len(m.Fields[f].Levels)-1 {
			return false
		}
	}
	return true
}

func complement(set []bool) []bool {
	out := make([]bool, len(set))
	for f, in := range set {
		out[f] = !in
	}
	return out
}

// BlockedCounts counts the agreement patterns of the pairs whose filters are
// identical on every field of on (and present on both sides): the pairs of
// a blocking on those fields, whatever the other fields say. Beyond max
// pairs it keeps a uniform sample of about max (PCG seeded by seed, visited
// in a fixed order: reproducible). It also returns the number of pairs in
// the blocks.
func (c *Comparer) BlockedCounts(ctx context.Context, on []bool, max int, seed uint64) (PatternCounts, int64, error) {
	if len(on) != len(c.cmps) {
		return nil, 0, base.Usagef("model: %d blocking fields for %d comparisons", len(on), len(c.cmps))
	}
	group := func(s []side) map[uint64][]int {
		g := map[uint64][]int{}
		n := len(s[0].col.Present)
	rows:
		for i := 0; i < n; i++ {
			h := uint64(0x5ea5_0b10c)
			for f, in := range on {
				if !in {
					continue
				}
				if !s[f].present(i) {
					continue rows
				}
				h = filterHash(append([]uint64{h}, s[f].col.Filters.At(i)...))
			}
			g[h] = append(g[h], i)
		}
		return g
	}
	ga := group(c.a)
	gb := ga
	if !c.dedup {
		gb = group(c.b)
	}
	var total int64
	for h, as := range ga {
		if c.dedup {
			total += int64(len(as)) * int64(len(as)-1) / 2
		} else {
			total += int64(len(as)) * int64(len(gb[h]))
		}
	}
	keep := 1.0
	if max > 0 && total > int64(max) {
		keep = float64(max) / float64(total)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6a09e667f3bcc909))
	pc := PatternCounts{}
	top := make([]int, len(c.cmps))
	for f, cmp := range c.cmps {
		top[f] = cmp.Levels() - 1
	}
	n := 0
	for _, h := range slices.Sorted(maps.Keys(ga)) {
		as, bs := ga[h], gb[h]
		for x, i := range as {
			if n++; n&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, 0, fmt.Errorf("model: session pairs: %w", err)
				}
			}
			for y, j := range bs {
				if c.dedup && y <= x {
					continue
				}
				if keep < 1 && rng.Float64() >= keep {
					continue
				}
				agree := true
				for f, in := range on {
					if in && c.Level(f, i, j) != top[f] {
						agree = false // a hash collision
						break
					}
				}
				if agree {
					pc[c.Key(i, j)]++
				}
			}
		}
	}
	return pc, total, nil
}

// Thresholds of dependentFields: two fields interact when agreeing on both
// is at least minDependence bits more frequent among random pairs than
// independence predicts, seen on at least minJointPairs sampled pairs.
const (
	minDependence = 1.0
	minJointPairs = 20
)

// dependentFields finds the pairs of fields whose top levels go together
// among the random pairs of sample, and returns the corrections
// −log2(u_joint / (u_f u_g)) (see Interaction).
func dependentFields(cmps []Comparison, sample PatternCounts) []Interaction {
	var out []Interaction
	levels := make([]int, len(cmps))
	for f := range cmps {
		for g := f + 1; g < len(cmps); g++ {
			var n, nf, ng, nfg float64
			for _, k := range sample.Keys() {
				levels = DecodePattern(cmps, k, levels)
				lf, lg := levels[f], levels[g]
				if lf == 0 || lg == 0 || agreesElsewhere(cmps, levels, f, g) {
					continue
				}
				c := float64(sample[k])
				n += c
				tf, tg := lf == cmps[f].Levels()-1, lg == cmps[g].Levels()-1
				if tf {
					nf += c
				}
				if tg {
					ng += c
				}
				if tf && tg {
					nfg += c
				}
			}
			if nfg < minJointPairs {
				continue
			}
			if d := math.Log2(nfg * n / (nf * ng)); d >= minDependence {
				out = append(out, Interaction{Fields: [2]int{f, g}, Weight: -d})
			}
		}
	}
	return out
}

// agreesElsewhere reports whether a pattern is at the top level of a field
// other than f and g. dependentFields leaves such pairs out: the few true
// matches among random pairs agree on all fields at once, and would pass for
// a dependence between any two rare values (given name and surname).
func agreesElsewhere(cmps []Comparison, levels []int, f, g int) bool {
	for h, l := range levels {
		if h != f && h != g && l == cmps[h].Levels()-1 {
			return true
		}
	}
	return false
}
