package audit

import (
	"context"
	"math"
	"math/bits"
	"slices"
	"sort"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/schema"
)

// PatternConfig tunes the pattern-mining attack.
type PatternConfig struct {
	// MinSupport is the least number of records a mined pattern must
	// cover (default 5).
	MinSupport int
	// MaxPatterns bounds the patterns mined per partition (default 300).
	MaxPatterns int
	// MinZ is the least excess co-occurrence of a seed pair of positions,
	// in standard deviations of chance (default 6).
	MinZ float64
}

func (c *PatternConfig) defaults() {
	if c.MinSupport <= 0 {
		c.MinSupport = 5
	}
	if c.MaxPatterns <= 0 {
		c.MaxPatterns = 300
	}
	if c.MinZ <= 0 {
		c.MinZ = 6
	}
}

// PatternMining runs a frequent bit-pattern mining attack in the style of
// Christen, Ranbaduge, Vatsalan and Schnell ("Precise and fast
// cryptanalysis for Bloom filter based PPRL"): the k positions of a
// frequent token are set together in every filter holding the token, so
// they form a frequent itemset whose support is the token's frequency.
//
//  1. Mining: pairs of positions set together far more often than chance
//     seed an itemset, grown greedily by the position that keeps the most
//     records, until its support stops holding; the itemset is one token's
//     positions (its size is about the schema's k).
//  2. Labelling: itemsets are matched to the tokens of the public
//     reference (tokenised as the schema says) by frequency and by their
//     co-occurrence with the itemsets already labelled.
//  3. Decoding: a filter holds the labelled tokens whose positions it
//     contains; the public values with exactly those labelled tokens (and,
//     for field filters, the token count the filter's popcount implies)
//     are the candidates, and the most frequent is the guess.
//
// With clk false the field filter of each target is attacked; with clk
// true the CLK, jointly for every target in it (itemsets of the schema's
// clk_k). Salted targets are attacked inside the salt cohorts (cohorts,
// keyed by salt, from RecoverCohorts), where their tokens have fixed
// positions again.
func PatternMining(ctx context.Context, in *Input, cohorts map[string]*Cohorts, clk bool, cfg PatternConfig) (AttackResult, error) {
	if err := in.Validate(); err != nil {
		return AttackResult{}, err
	}
	cfg.defaults()
	n := in.Data.Len()
	guesses := make([][]string, len(in.Targets))
	columns := make([]string, len(in.Targets))
	parts := 0
	if !clk {
		for ti := range in.Targets {
			t := &in.Targets[ti]
			columns[ti] = "f_" + t.Field.Name
			col := t.column(in.Data)
			words := attackWords(t.Field, col)
			guesses[ti] = make([]string, n)
			for _, idx := range partitionsFor(t.Field, cohorts, n, col.Present) {
				if len(idx) < 2*cfg.MinSupport {
					continue
				}
				parts++
				vecs := make([][]uint64, len(idx))
				for j, i := range idx {
					vecs[j] = col.Filters.At(i)[:words]
				}
				g, err := minePartition(ctx, vecs, []*Target{t}, []int{t.Field.K}, words*64, true, t.Field.Hardening.BLIP, cfg)
				if err != nil {
					return AttackResult{}, err
				}
				for j, i := range idx {
					guesses[ti][i] = g[0][j]
				}
			}
		}
		return withParts(score(AttackPatternFields,
			"frequent bit-pattern mining of token positions in each field filter (inside salt cohorts for salted fields), labelled with public token frequencies and co-occurrences, decoded against the public values",
			in, guesses, columns, nil), parts), nil
	}
	// The CLK: every target with clk_k > 0, together.
	var ts []*Target
	var tis, ks []int
	var lead *schema.Field
	for ti := range in.Targets {
		t := &in.Targets[ti]
		columns[ti] = "clk"
		if t.Field.CLKK <= 0 {
			continue
		}
		ts, tis, ks = append(ts, t), append(tis, ti), append(ks, t.Field.CLKK)
		guesses[ti] = make([]string, n)
		if lead == nil || t.Field.Salt != "" && lead.Salt == "" {
			lead = t.Field
		}
	}
	if len(ts) == 0 {
		res := score("pattern-mining-clk", "no target field is in the CLK", in, guesses, columns, nil)
		res.Notes = append(res.Notes, "no target field has clk_k > 0")
		return res, nil
	}
	words := in.Data.CLK.Words
	for _, idx := range partitionsFor(lead, cohorts, n, nil) {
		if len(idx) < 2*cfg.MinSupport {
			continue
		}
		parts++
		vecs := make([][]uint64, len(idx))
		for j, i := range idx {
			vecs[j] = in.Data.CLK.At(i)
		}
		g, err := minePartition(ctx, vecs, ts, ks, words*64, false, in.Schema.CLK.Hardening.BLIP, cfg)
		if err != nil {
			return AttackResult{}, err
		}
		for x, ti := range tis {
			for j, i := range idx {
				if in.Data.Field(in.Targets[ti].Field.Name).Present[i] {
					guesses[ti][i] = g[x][j]
				}
			}
		}
	}
	return withParts(score(AttackPatternCLK,
		"frequent bit-pattern mining of the target fields' token positions in the CLK (inside salt cohorts when salted), labelled and decoded as for the field filters",
		in, guesses, columns, nil), parts), nil
}

func withParts(r AttackResult, parts int) AttackResult {
	r.Partitions = parts
	return r
}

// partitionsFor splits the records that have a value (present nil: all)
// into the groups in which field f's tokens have fixed positions: its salt
// cohorts (records of unknown cohort are left out), or one group.
func partitionsFor(f *schema.Field, cohorts map[string]*Cohorts, n int, present []bool) [][]int {
	keep := func(i int) bool { return present == nil || present[i] }
	if f.Salt == "" {
		var all []int
		for i := 0; i < n; i++ {
			if keep(i) {
				all = append(all, i)
			}
		}
		return [][]int{all}
	}
	co := cohorts[saltKey(f)]
	if co == nil {
		return nil
	}
	var out [][]int
	for _, m := range co.Members() {
		var idx []int
		for _, i := range m {
			if keep(i) {
				idx = append(idx, i)
			}
		}
		out = append(out, idx)
	}
	return out
}

// saltKey identifies the salt of a salted field.
func saltKey(f *schema.Field) string { return f.Salt + "\x00" + f.SaltPart }

// minedPattern is an itemset of positions and the records that hold all of
// them.
type minedPattern struct {
	pos  []int
	recs []uint64 // bitset over the partition's records
	sup  int
}

// minePartition mines the token itemsets of vectors vecs (one partition),
// labels them with the tokens of targets ts (k[x] positions per token of
// target x) and decodes every vector; it returns guesses[x][j] for target
// x and vector j. checkLen compares the token count a field filter's
// popcount implies with each candidate's.
func minePartition(ctx context.Context, vecs [][]uint64, ts []*Target, k []int, nbits int, checkLen bool, noise float64, cfg PatternConfig) ([][]string, error) {
	n := len(vecs)
	rw := (n + 63) / 64
	cols := make([][]uint64, nbits)
	freq := make([]int, nbits)
	for b := range cols {
		cols[b] = make([]uint64, rw)
	}
	for j, v := range vecs {
		for w, x := range v {
			for x != 0 {
				b := w*64 + bits.TrailingZeros64(x)
				x &= x - 1
				cols[b][j>>6] |= 1 << (j & 63)
				freq[b]++
			}
		}
	}
	minK := k[0]
	maxK := k[0]
	for _, x := range k {
		minK, maxK = min(minK, x), max(maxK, x)
	}
	// Seed pairs: co-occurrence in excess of chance.
	type pair struct {
		a, b int
		z    float64
	}
	var pairs []pair
	active := make([]int, 0, nbits)
	for b := range freq {
		if freq[b] >= cfg.MinSupport && freq[b] < n {
			active = append(active, b)
		}
	}
	for x, a := range active {
		if x%32 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for _, b := range active[x+1:] {
			both := andCount(cols[a], cols[b])
			exp := float64(freq[a]) * float64(freq[b]) / float64(n)
			sd := math.Sqrt(exp*(1-float64(freq[a])/float64(n))*(1-float64(freq[b])/float64(n))) + 1
			if z := (float64(both) - exp) / sd; z >= cfg.MinZ && both >= cfg.MinSupport {
				pairs = append(pairs, pair{a, b, z})
			}
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].z > pairs[j].z })
	// A seed pair is explained when both its positions belong to itemsets
	// found already (positions are shared between tokens, so in a dense
	// filter such as the CLK one explained position must not veto a
	// pair).
	explained := make([]bool, nbits)
	var foundSets [][]uint64 // positions of each token itemset found, as bitsets
	explain := func(pos []int, token bool) {
		set := make([]uint64, (nbits+63)/64)
		for _, d := range pos {
			explained[d] = true
			set[d>>6] |= 1 << (d & 63)
		}
		if token {
			foundSets = append(foundSets, set)
		}
	}
	// seen reports whether an itemset with mostly the same positions was
	// found already (a seed pair across two co-occurring tokens grows
	// into one of them again).
	seen := func(pos []int) bool {
		for _, set := range foundSets {
			in := 0
			for _, d := range pos {
				if set[d>>6]&(1<<(d&63)) != 0 {
					in++
				}
			}
			if float64(in) >= 0.7*float64(len(pos)) {
				return true
			}
		}
		return false
	}
	var pats []minedPattern
	r := make([]uint64, rw)
	tmp := make([]uint64, rw)
	attempts := 0
	for _, p := range pairs {
		if len(pats) >= cfg.MaxPatterns || attempts >= 10*cfg.MaxPatterns {
			break
		}
		if explained[p.a] && explained[p.b] {
			continue
		}
		attempts++
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Grow greedily: the position that keeps the most records.
		in := map[int]bool{p.a: true, p.b: true}
		for w := range r {
			r[w] = cols[p.a][w] & cols[p.b][w]
		}
		// Purify the support with a few more positions (records that
		// hold them all by chance vanish geometrically); the final pass
		// below then collects every position of the token.
		sup := popcount(r)
		for len(in) < max(3, min(6, minK-2)) {
			best, bestSup := -1, -1
			for _, d := range active {
				if in[d] {
					continue
				}
				if s := andCount(r, cols[d]); s > bestSup {
					best, bestSup = d, s
				}
			}
			if best < 0 {
				break
			}
			in[best] = true
			for w := range r {
				r[w] &= cols[best][w]
			}
			sup = bestSup
		}
		if sup < cfg.MinSupport {
			explain([]int{p.a, p.b}, false)
			continue
		}
		// The token's positions: all those set in (nearly) every record of
		// the itemset's support.
		var pos []int
		for _, d := range active {
			if andCount(r, cols[d]) >= int(math.Ceil((0.95-noise)*float64(sup))) {
				pos = append(pos, d)
			}
		}
		if seen(pos) || !slices.Contains(pos, p.a) || !slices.Contains(pos, p.b) {
			// A token found already, or a seed that did not hold up.
			explain([]int{p.a, p.b}, false)
			continue
		}
		if float64(len(pos)) < 0.8*float64(minK) || float64(len(pos)) > 1.1*float64(maxK)+1 {
			// Not a token of the targets (in the CLK: a date part, sex,
			// a postcode q-gram; or several tokens that always occur
			// together): explained, not kept.
			explain(pos, true)
			continue
		}
		// The support: records that hold the positions (all of them, or
		// under BLIP all but the share noise could have cleared).
		clear(tmp)
		for j, v := range vecs {
			if holds(v, pos, noise) {
				tmp[j>>6] |= 1 << (j & 63)
			}
		}
		explain(pos, true)
		pats = append(pats, minedPattern{pos: pos, recs: append([]uint64(nil), tmp...), sup: popcount(tmp)})
	}
	labels := labelPatterns(pats, n, ts, k)
	return decode(vecs, pats, labels, ts, k, nbits, checkLen, noise), nil
}

// pubToken is a token of the public reference: its target and text.
type pubToken struct {
	target int
	tok    string
}

// tokenStats are the public tokens' frequencies and co-occurrences.
type tokenStats struct {
	toks []pubToken
	freq []float64 // share of values (weighted by count) holding the token
	// co[a][b]: share holding both (only for the tokens kept)
	co   [][]float64
	size []int // positions per token: k of its target
}

// labelPatterns assigns to each mined pattern a public token (index into
// the returned stats' toks, -1 = none): first by frequency, then by
// coordinate descent on frequency and co-occurrence with the others.
func labelPatterns(pats []minedPattern, n int, ts []*Target, k []int) []pubToken {
	out := make([]pubToken, len(pats))
	for i := range out {
		out[i].target = -1
	}
	if len(pats) == 0 {
		return out
	}
	st := publicTokenStats(ts, k, 4*len(pats)+50)
	if len(st.toks) == 0 {
		return out
	}
	ps := make([]float64, len(pats))
	for i, p := range pats {
		ps[i] = float64(p.sup) / float64(n)
	}
	pco := make([][]float64, len(pats))
	for i := range pats {
		pco[i] = make([]float64, len(pats))
		for j := range pats {
			if i != j {
				pco[i][j] = float64(andCount(pats[i].recs, pats[j].recs)) / float64(n)
			}
		}
	}
	// Size compatibility: a pattern has about k positions of its token
	// (a few fewer when two of them collide), which tells the tokens of
	// fields with another k apart in the CLK (dates, sex, postcodes).
	fits := func(pi, t int) bool {
		l, kk := float64(len(pats[pi].pos)), float64(st.size[t])
		return l >= 0.8*kk && l <= 1.1*kk+1
	}
	assign := make([]int, len(pats))
	used := make([]int, len(st.toks)) // pattern+1 using token
	for i := range assign {
		assign[i] = -1
	}
	order := make([]int, len(pats))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return ps[order[a]] > ps[order[b]] })
	// Co-occurrence is compared with the most frequent labelled patterns
	// only (the anchors): they are the best estimated.
	const anchors = 40
	cost := func(pi, t int) float64 {
		c := math.Abs(math.Log(ps[pi]+1e-9) - math.Log(st.freq[t]+1e-9))
		m, s := 0, 0.0
		for _, pj := range order[:min(anchors, len(order))] {
			u := assign[pj]
			if pj == pi || u < 0 {
				continue
			}
			// Conditional frequencies: P(pattern pi | pj) vs P(t | u).
			a := pco[pi][pj] / math.Max(ps[pj], 1e-9)
			b := st.co[t][u] / math.Max(st.freq[u], 1e-9)
			s += math.Abs(a - b)
			m++
		}
		if m > 0 {
			c += 4 * s / float64(m)
		}
		return c
	}
	// Candidate tokens: of a size the pattern fits and a frequency within
	// a factor of four of its support.
	cands := make([][]int, len(pats))
	for pi := range pats {
		for t := range st.toks {
			if fits(pi, t) && math.Abs(math.Log(ps[pi]+1e-9)-math.Log(st.freq[t]+1e-9)) < math.Log(4) {
				cands[pi] = append(cands[pi], t)
			}
		}
	}
	for sweep := 0; sweep < 4; sweep++ {
		changed := false
		for _, pi := range order {
			best, bestC := -1, math.Inf(1)
			for _, t := range cands[pi] {
				if used[t] != 0 && used[t] != pi+1 {
					continue
				}
				if c := cost(pi, t); c < bestC {
					best, bestC = t, c
				}
			}
			if best != assign[pi] {
				if assign[pi] >= 0 {
					used[assign[pi]] = 0
				}
				assign[pi] = best
				if best >= 0 {
					used[best] = pi + 1
				}
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	for i, t := range assign {
		if t >= 0 {
			out[i] = st.toks[t]
		}
	}
	return out
}

// publicTokenStats computes the frequencies of the most frequent public
// tokens of every target (at most limit in all) and their co-occurrences.
func publicTokenStats(ts []*Target, k []int, limit int) tokenStats {
	type tv struct {
		toks []int
		w    float64
	}
	idx := map[pubToken]int{}
	var st tokenStats
	var vals []tv
	var freq []float64
	for x, t := range ts {
		total := 0.0
		for _, nc := range t.Public {
			total += nc.Count
		}
		if total == 0 {
			continue
		}
		for _, nc := range t.Public {
			var ids []int
			for _, tok := range tokensOf(t.Field, nc.Name) {
				key := pubToken{x, tok}
				id, ok := idx[key]
				if !ok {
					id = len(st.toks)
					idx[key] = id
					st.toks = append(st.toks, key)
					st.size = append(st.size, k[x])
					freq = append(freq, 0)
				}
				freq[id] += nc.Count / total
				ids = append(ids, id)
			}
			vals = append(vals, tv{ids, nc.Count / total})
		}
	}
	// Keep the most frequent tokens.
	order := make([]int, len(st.toks))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return freq[order[a]] > freq[order[b]] })
	if len(order) > limit {
		order = order[:limit]
	}
	remap := make([]int, len(st.toks))
	for i := range remap {
		remap[i] = -1
	}
	var out tokenStats
	for newID, old := range order {
		remap[old] = newID
		out.toks = append(out.toks, st.toks[old])
		out.size = append(out.size, st.size[old])
		out.freq = append(out.freq, freq[old])
	}
	out.co = make([][]float64, len(out.toks))
	for i := range out.co {
		out.co[i] = make([]float64, len(out.toks))
	}
	for _, v := range vals {
		for _, a := range v.toks {
			if ra := remap[a]; ra >= 0 {
				for _, b := range v.toks {
					if rb := remap[b]; rb >= 0 && rb != ra {
						out.co[ra][rb] += v.w
					}
				}
			}
		}
	}
	return out
}

// decode guesses each vector's value of every target from the labelled
// patterns it contains. A filter that lacks some position of a token
// surely lacks the token (Bloom filters have no false negatives), so a
// candidate is a public value all of whose labelled tokens the filter
// holds; the filter may hold more (other tokens can set a pattern's
// positions by chance, and labels can be wrong). The candidate with the
// most labelled tokens wins, the most frequent among ties; for field
// filters it must also have the token count the popcount implies. A guess
// needs at least three tokens identified, and half the value's tokens:
// a single "ends in A" would otherwise name every such filter after the
// commonest name ending in A.
func decode(vecs [][]uint64, pats []minedPattern, labels []pubToken, ts []*Target, k []int, nbits int, checkLen bool, noise float64) [][]string {
	out := make([][]string, len(ts))
	for x := range out {
		out[x] = make([]string, len(vecs))
	}
	for x, t := range ts {
		// The labelled tokens of this target, numbered.
		var pidx []int // label number → pattern
		num := map[string]int{}
		for pi, l := range labels {
			if l.target == x {
				num[l.tok] = len(pidx)
				pidx = append(pidx, pi)
			}
		}
		if len(pidx) == 0 {
			continue
		}
		lw := (len(pidx) + 63) / 64
		// Public values by their set of labelled tokens.
		type cand struct {
			name  string
			count float64
			ntok  int
		}
		type group struct {
			set   []uint64
			size  int
			cands []cand
		}
		byKey := map[string]*group{}
		for _, nc := range t.Public {
			toks := tokensOf(t.Field, nc.Name)
			set := make([]uint64, lw)
			size := 0
			for _, tok := range toks {
				if l, ok := num[tok]; ok {
					set[l>>6] |= 1 << (l & 63)
					size++
				}
			}
			if size < 3 {
				continue
			}
			key := string(wordsBytes(set))
			g := byKey[key]
			if g == nil {
				g = &group{set: set, size: size}
				byKey[key] = g
			}
			g.cands = append(g.cands, cand{nc.Name, nc.Count, len(toks)})
		}
		groups := make([]*group, 0, len(byKey))
		for _, g := range byKey {
			sort.Slice(g.cands, func(a, b int) bool {
				if g.cands[a].count != g.cands[b].count {
					return g.cands[a].count > g.cands[b].count
				}
				return g.cands[a].name < g.cands[b].name
			})
			groups = append(groups, g)
		}
		// Largest sets first: the first subset found is the best.
		sort.Slice(groups, func(a, b int) bool {
			if groups[a].size != groups[b].size {
				return groups[a].size > groups[b].size
			}
			return groups[a].cands[0].count > groups[b].cands[0].count
		})
		have := make([]uint64, lw)
		for j, v := range vecs {
			clear(have)
			n := 0
			for l, pi := range pidx {
				if holds(v, pats[pi].pos, noise) {
					have[l>>6] |= 1 << (l & 63)
					n++
				}
			}
			est := -1.0
			if checkLen {
				est = estimateItems(denoise(bitvec.Count(v), nbits, t.Field.Hardening.BLIP), nbits, k[x])
			}
			if n < 3 {
				continue
			}
			bestSize, best := 0, ""
			bestCount := -1.0
			for _, g := range groups {
				if g.size < bestSize {
					break
				}
				if est > 0 && float64(g.size) < 0.5*est || !subset(g.set, have) {
					continue
				}
				for _, c := range g.cands {
					if est < 0 || math.Abs(float64(c.ntok)-est) <= math.Max(1, 0.15*est) {
						if c.count > bestCount {
							bestSize, best, bestCount = g.size, c.name, c.count
						}
						break
					}
				}
			}
			out[x][j] = best
		}
	}
	return out
}

func subset(a, b []uint64) bool {
	for i, x := range a {
		if x&^b[i] != 0 {
			return false
		}
	}
	return true
}

// holds reports whether v has every position of pos set or, under BLIP
// with flip probability noise, all but twice the expected number cleared.
func holds(v []uint64, pos []int, noise float64) bool {
	miss := int(2 * noise * float64(len(pos)))
	for _, b := range pos {
		if v[b>>6]&(1<<(b&63)) == 0 {
			if miss--; miss < 0 {
				return false
			}
		}
	}
	return true
}
