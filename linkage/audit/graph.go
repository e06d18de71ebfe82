package audit

import (
	"context"
	"math"
	"math/bits"
	"math/rand/v2"
	"sort"
	"unsafe"

	"github.com/welfare-district/swd/linkage/schema"
)

// GraphConfig tunes the graph matching attack.
type GraphConfig struct {
	// Sample is how many records are attacked (default 20,000): a uniform
	// sample, or whole salt cohorts drawn at random for salted fields.
	Sample int
	// MaxNodes bounds the encoded nodes of one graph (default 3,000, the
	// most frequent encodings).
	MaxNodes int
	// Rounds of seed propagation (default 8).
	Rounds int
	// Seed seeds the sampling.
	Seed uint64
}

func (c *GraphConfig) defaults() {
	if c.Sample <= 0 {
		c.Sample = 20000
	}
	if c.MaxNodes <= 0 {
		c.MaxNodes = 3000
	}
	if c.Rounds <= 0 {
		c.Rounds = 8
	}
}

// Graph runs a similarity-graph matching attack in the style of Vidanage,
// Christen, Ranbaduge and Schnell ("A graph matching attack on
// privacy-preserving record linkage", CIKM 2020) on a sample of the
// records. Two similarity graphs are built: one over the distinct field
// filters (the Dice of two Bloom filters, turned into an estimate of the
// Dice of their token sets by Bloom cardinality estimation), one over the
// public values (the exact Dice of their token sets). Nodes are described
// by features both graphs share: token count, frequency, and the
// frequency-weighted degree at several similarity thresholds. Mutual best
// matches on features, with a margin, are the first seeds; then every
// node is described by its similarities to the seeds, which the Bloom
// encoding preserves, and mutual best matches on those become seeds in
// turn. Salted targets are attacked inside their salt cohorts, since
// similarities across cohorts are random.
func Graph(ctx context.Context, in *Input, cohorts map[string]*Cohorts, cfg GraphConfig) (AttackResult, error) {
	if err := in.Validate(); err != nil {
		return AttackResult{}, err
	}
	cfg.defaults()
	n := in.Data.Len()
	guesses := make([][]string, len(in.Targets))
	columns := make([]string, len(in.Targets))
	sampled := make([]bool, n)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	// The sample: whole partitions of the first salted target (or a
	// uniform sample), shared by all targets.
	var lead *schema.Field
	for ti := range in.Targets {
		if f := in.Targets[ti].Field; lead == nil || f.Salt != "" && lead.Salt == "" {
			lead = f
		}
	}
	if lead.Salt == "" {
		perm := rng.Perm(n)
		for _, i := range perm[:min(cfg.Sample, n)] {
			sampled[i] = true
		}
	} else {
		parts := partitionsFor(lead, cohorts, n, nil)
		taken := 0
		for _, p := range rng.Perm(len(parts)) {
			if taken >= cfg.Sample {
				break
			}
			for _, i := range parts[p] {
				sampled[i] = true
			}
			taken += len(parts[p])
		}
	}
	partitions := 0
	for ti := range in.Targets {
		t := &in.Targets[ti]
		col := t.column(in.Data)
		columns[ti] = "f_" + t.Field.Name
		guesses[ti] = make([]string, n)
		present := make([]bool, n)
		for i := range present {
			present[i] = col.Present[i] && sampled[i]
		}
		words := attackWords(t.Field, col)
		pub := graphPublic(t, 0)
		for _, idx := range partitionsFor(t.Field, cohorts, n, present) {
			if len(idx) < 10 {
				continue
			}
			partitions++
			vecs := make([][]uint64, len(idx))
			for j, i := range idx {
				vecs[j] = col.Filters.At(i)[:words]
			}
			g, err := matchGraphs(ctx, vecs, t.Field, pub, cfg)
			if err != nil {
				return AttackResult{}, err
			}
			for j, i := range idx {
				guesses[ti][i] = g[j]
			}
		}
	}
	res := score(AttackGraph,
		"similarity graphs of the field filters and of the public values matched on node features, then by similarities to matched seeds (on a sample; inside salt cohorts for salted fields)",
		in, guesses, columns, sampled)
	res.Partitions = partitions
	return res, nil
}

// graphPublicValues are the public values of a target, most frequent
// first, tokenised.
type graphPublicValues struct {
	names []string
	count []float64
	toks  [][]int32 // sorted token ids
}

func graphPublic(t *Target, limit int) *graphPublicValues {
	ps := sortedPublic(t.Public)
	if limit > 0 && len(ps) > limit {
		ps = ps[:limit]
	}
	ids := map[string]int32{}
	g := &graphPublicValues{}
	for _, nc := range ps {
		var ts []int32
		for _, tok := range tokensOf(t.Field, nc.Name) {
			id, ok := ids[tok]
			if !ok {
				id = int32(len(ids))
				ids[tok] = id
			}
			ts = append(ts, id)
		}
		sort.Slice(ts, func(a, b int) bool { return ts[a] < ts[b] })
		g.names = append(g.names, nc.Name)
		g.count = append(g.count, nc.Count)
		g.toks = append(g.toks, ts)
	}
	return g
}

func setDice(a, b []int32) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	i, j, both := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			both++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return 2 * float64(both) / float64(len(a)+len(b))
}

var graphThresholds = []float64{0.4, 0.5, 0.6, 0.7, 0.8}

// matchGraphs attacks one partition: vecs are its records' filters; it
// returns a guess per record.
func matchGraphs(ctx context.Context, vecs [][]uint64, f *schema.Field, pub *graphPublicValues, cfg GraphConfig) ([]string, error) {
	out := make([]string, len(vecs))
	// Encoded nodes: distinct filters, most frequent first.
	idx := map[string]int{}
	var nodes [][]uint64
	var counts []float64
	of := make([]int, len(vecs))
	for j, v := range vecs {
		key := unsafe.String((*byte)(unsafe.Pointer(&v[0])), len(v)*8)
		id, ok := idx[key]
		if !ok {
			id = len(nodes)
			idx[key] = id
			nodes = append(nodes, v)
			counts = append(counts, 0)
		}
		counts[id]++
		of[j] = id
	}
	order := make([]int, len(nodes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return counts[order[a]] > counts[order[b]] })
	if len(order) > cfg.MaxNodes {
		order = order[:cfg.MaxNodes]
	}
	ne := len(order)
	nbits := len(vecs[0]) * 64
	k := f.K
	est := make([]float64, ne)
	ones := make([]int, ne)
	for a, id := range order {
		ones[a] = denoise(popcount(nodes[id]), nbits, f.Hardening.BLIP)
		est[a] = estimateItems(ones[a], nbits, k)
	}
	simE := make([][]float32, ne)
	for a := range simE {
		simE[a] = make([]float32, ne)
	}
	for a := 0; a < ne; a++ {
		if a%128 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		va := nodes[order[a]]
		simE[a][a] = 1
		for b := a + 1; b < ne; b++ {
			vb := nodes[order[b]]
			or := 0
			for w, x := range va {
				or += bits.OnesCount64(x | vb[w])
			}
			// The union of two noisy filters has about f·(bits − ones)
			// noise ones from each: denoised as for one filter of
			// twice the noise.
			u := estimateItems(denoise(or, nbits, 2*f.Hardening.BLIP), nbits, k)
			both := est[a] + est[b] - u
			d := 0.0
			if s := est[a] + est[b]; s > 0 && both > 0 {
				d = min(1, 2*both/s)
			}
			simE[a][b], simE[b][a] = float32(d), float32(d)
		}
	}
	// Public nodes: the most frequent values, about twice as many.
	np := min(len(pub.names), max(200, 2*ne), 4000)
	simP := make([][]float32, np)
	for a := range simP {
		simP[a] = make([]float32, np)
		simP[a][a] = 1
	}
	for a := 0; a < np; a++ {
		if a%128 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for b := a + 1; b < np; b++ {
			d := float32(setDice(pub.toks[a], pub.toks[b]))
			simP[a][b], simP[b][a] = d, d
		}
	}
	// Features: token count, log frequency, frequency-weighted degrees.
	feat := func(sim [][]float32, cnt []float64, ntok []float64) [][]float64 {
		total := 0.0
		for _, c := range cnt {
			total += c
		}
		fs := make([][]float64, len(sim))
		for a := range sim {
			v := make([]float64, 2+len(graphThresholds))
			v[0] = ntok[a]
			v[1] = math.Log(cnt[a] / total)
			for b, s := range sim[a] {
				for ti, th := range graphThresholds {
					if float64(s) >= th {
						v[2+ti] += cnt[b] / total
					}
				}
			}
			for ti := range graphThresholds {
				v[2+ti] = math.Log(v[2+ti] + 1e-6)
			}
			fs[a] = v
		}
		return fs
	}
	ecnt := make([]float64, ne)
	for a, id := range order {
		ecnt[a] = counts[id]
	}
	pntok := make([]float64, np)
	for a := range pntok {
		pntok[a] = float64(len(pub.toks[a]))
	}
	fe := feat(simE, ecnt, est)
	fp := feat(simP, pub.count[:np], pntok)
	// Scale by the public features' spread.
	nf := len(fp[0])
	scale := make([]float64, nf)
	for x := 0; x < nf; x++ {
		m, s := 0.0, 0.0
		for _, v := range fp {
			m += v[x]
		}
		m /= float64(np)
		for _, v := range fp {
			s += (v[x] - m) * (v[x] - m)
		}
		scale[x] = 1 / (math.Sqrt(s/float64(np)) + 1e-9)
	}
	compatible := func(a, b int) bool { return math.Abs(est[a]-pntok[b]) <= 0.6 }
	fdist := func(a, b int) float64 {
		d := 0.0
		for x := 1; x < nf; x++ {
			t := (fe[a][x] - fp[b][x]) * scale[x]
			d += t * t
		}
		return d
	}
	match := make([]int, ne)  // encoded → public, -1
	matchP := make([]int, np) // public → encoded, -1
	for i := range match {
		match[i] = -1
	}
	for i := range matchP {
		matchP[i] = -1
	}
	// Seeds from features: mutual best with a margin.
	bestOf := func(cost func(a, b int) (float64, bool), a int) (int, float64, float64) {
		best, bc, sc := -1, math.Inf(1), math.Inf(1)
		for b := 0; b < np; b++ {
			if matchP[b] >= 0 || !compatible(a, b) {
				continue
			}
			c, ok := cost(a, b)
			if !ok {
				continue
			}
			if c < bc {
				best, sc, bc = b, bc, c
			} else if c < sc {
				sc = c
			}
		}
		return best, bc, sc
	}
	bestOfP := func(cost func(a, b int) (float64, bool), b int) int {
		best, bc := -1, math.Inf(1)
		for a := 0; a < ne; a++ {
			if match[a] >= 0 || !compatible(a, b) {
				continue
			}
			if c, ok := cost(a, b); ok && c < bc {
				best, bc = a, c
			}
		}
		return best
	}
	featCost := func(a, b int) (float64, bool) { return fdist(a, b), true }
	var seeds [][2]int
	for a := 0; a < ne; a++ {
		b, bc, sc := bestOf(featCost, a)
		if b >= 0 && sc > 2*bc+0.05 && bestOfP(featCost, b) == a {
			match[a], matchP[b] = b, a
			seeds = append(seeds, [2]int{a, b})
		}
	}
	// Propagation: similarities to the seeds.
	const maxSeeds = 200
	for round := 0; round < cfg.Rounds && len(seeds) > 0; round++ {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		use := seeds
		if len(use) > maxSeeds {
			use = use[:maxSeeds]
		}
		seedCost := func(a, b int) (float64, bool) {
			s, m := 0.0, 0
			for _, sd := range use {
				x, y := float64(simE[a][sd[0]]), float64(simP[b][sd[1]])
				if x < 0.25 && y < 0.25 {
					continue
				}
				s += (x - y) * (x - y)
				m++
			}
			if m < 3 {
				return 0, false
			}
			return s/float64(m) + 0.01*fdist(a, b), true
		}
		added := 0
		for a := 0; a < ne; a++ {
			if match[a] >= 0 {
				continue
			}
			b, bc, sc := bestOf(seedCost, a)
			if b < 0 || bc > 0.05 || sc < 1.5*bc+0.005 {
				continue
			}
			if bestOfP(seedCost, b) != a {
				continue
			}
			match[a], matchP[b] = b, a
			seeds = append(seeds, [2]int{a, b})
			added++
		}
		if added == 0 {
			break
		}
	}
	rank := make([]int, len(nodes))
	for i := range rank {
		rank[i] = -1
	}
	for a, id := range order {
		rank[id] = a
	}
	for j := range vecs {
		if a := rank[of[j]]; a >= 0 && match[a] >= 0 {
			out[j] = pub.names[match[a]]
		}
	}
	return out, nil
}
