package audit

import (
	"context"
	"errors"
	"math/bits"
	"sort"
	"unsafe"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/normalize"
)

// NameCount is a normalised name of the public list and its frequency.
type NameCount struct {
	Name  string
	Count float64
}

// Config describes the attacked field and the attacker's knowledge.
type Config struct {
	// Public is the attacker's list of normalised names with frequencies.
	Public []NameCount
	// Q and Padding are the field's q-gram tokenisation (from the schema).
	Q       int
	Padding bool
	// Balanced: filters are F || NOT F; the first half is attacked.
	Balanced bool
	// Align is how many of the most frequent filters are aligned with the
	// most frequent names (default 100).
	Align int
	// MinVotes is how many records' filters guessed to contain a q-gram
	// are needed to locate its positions (default 2).
	MinVotes int
	// K is the number of positions each token sets (the field's k in the
	// schema); default 20.
	K int
	// Rounds of locate → predict → assign (default 5).
	Rounds int
	// Seed is how many of the aligned filters are trusted to locate
	// q-grams in the first round (default 20): frequency alignment is
	// reliable only at the top of the distribution.
	Seed int
	// MergeDice groups filters at least this similar (Dice) as copies of
	// one value blurred by noise such as BLIP (default 0.6; 1 disables).
	MergeDice float64
	// MinDice is the similarity above which a pattern-stage guess is
	// accepted (default 0.7; predicted filters lack the positions of
	// whole-value tokens, so a true match is below 1). The best match must
	// also lead the second best by minLead.
	MinDice float64

	// The public list sorted by frequency and its q-grams, computed once
	// (prepare) when the same Config attacks many cohorts.
	sorted []NameCount
	grams  [][]string
}

// prepare sorts the public list and tokenises it, once.
func (c *Config) prepare() {
	if c.sorted != nil {
		return
	}
	c.sorted = sortedPublic(c.Public)
	c.grams = make([][]string, len(c.sorted))
	for i, nc := range c.sorted {
		c.grams[i] = qgrams(nc.Name, *c)
	}
}

func (c *Config) defaults() {
	if c.Align <= 0 {
		c.Align = 100
	}
	if c.MinVotes <= 0 {
		c.MinVotes = 2
	}
	if c.K <= 0 {
		c.K = 20
	}
	if c.Rounds <= 0 {
		c.Rounds = 5
	}
	if c.MergeDice <= 0 {
		c.MergeDice = 0.6
	}
	if c.Seed <= 0 {
		c.Seed = 20
	}
	if c.MinDice <= 0 {
		c.MinDice = 0.7
	}
}

// Result summarises an attack. Counts are records unless named otherwise.
type Result struct {
	Records  int  // records in the file
	Attacked int  // records with a filter and a known true value
	Distinct int  // distinct filters
	Groups   int  // groups attacked: distinct filters, or groups of near-identical ones
	Merged   bool // near-identical filters were grouped (the better variant)
	Aligned  int  // distinct filters aligned by frequency (stage 1)
	Located  int  // q-grams whose positions were located (stage 2)
	Guessed  int  // attacked records that received a guess

	Reidentified          int // guess equals the true value
	FrequencyReidentified int // of which stage 1 alone would have found
	Rate                  float64

	// Hits[i] says whether record i was re-identified.
	Hits []bool `json:"-"`
	// Guesses[i] is the value the attack assigned to record i ("" none).
	Guesses []string `json:"-"`
}

type cluster struct {
	filter   []uint64
	count    int
	guess    string // final guess
	stage1   string // frequency-alignment guess
	evidence string // name trusted for locating q-grams
}

// Attack runs the attack on the filters of one field. present[i] says
// whether record i has a value; truth[i] is its true normalised value
// ("" = unknown: not scored). truth is used only for scoring.
func Attack(ctx context.Context, filters bitvec.Arena, present []bool, truth []string, cfg Config) (Result, error) {
	n := filters.Len()
	if len(present) != n || len(truth) != n {
		return Result{}, errors.New("audit: filters, present and truth differ in length")
	}
	if len(cfg.Public) == 0 {
		return Result{}, errors.New("audit: the public name list is empty")
	}
	cfg.defaults()
	words := filters.Words
	if cfg.Balanced {
		words /= 2
	}
	clusters, of := group(filters, present, words)
	res, err := attack(ctx, cloneClusters(clusters), of, truth, present, words, cfg)
	if err != nil || cfg.MergeDice >= 1 {
		return res, err
	}
	// Noise-tolerant variant: group near-identical filters first. The
	// audit reports whichever variant re-identifies more.
	mc, mof, err := merge(ctx, clusters, of, cfg.MergeDice)
	if err != nil {
		return Result{}, err
	}
	mres, err := attack(ctx, mc, mof, truth, present, words, cfg)
	if err != nil {
		return Result{}, err
	}
	if mres.Reidentified > res.Reidentified {
		mres.Merged, mres.Distinct = true, res.Distinct
		return mres, nil
	}
	return res, nil
}

func countDistinct(of []int) int {
	seen := map[int]bool{}
	for _, c := range of {
		if c >= 0 {
			seen[c] = true
		}
	}
	return len(seen)
}

func cloneClusters(cs []cluster) []cluster { return append([]cluster(nil), cs...) }

// attack runs both stages on grouped filters and scores them.
func attack(ctx context.Context, clusters []cluster, of []int, truth []string, present []bool, words int, cfg Config) (Result, error) {
	n := len(of)
	res := Result{Records: n, Distinct: countDistinct(of), Groups: len(clusters), Hits: make([]bool, n), Guesses: make([]string, n)}
	cfg.prepare()
	public := cfg.sorted

	// Stage 1: frequency alignment.
	// A group seen once carries no frequency: only groups of at least two
	// records are aligned (otherwise, in a small cohort, every record
	// would be "aligned" with a common name and hit it by chance as often
	// as that name is common).
	res.Aligned = min(cfg.Align, len(clusters), len(public))
	for res.Aligned > 0 && clusters[res.Aligned-1].count < 2 {
		res.Aligned--
	}
	for i := 0; i < res.Aligned; i++ {
		clusters[i].stage1 = public[i].Name
		clusters[i].guess = public[i].Name
	}
	// Stage 2, iterated: locate q-grams from the trusted guesses (at
	// first the Seed most frequent alignments, then the confident
	// pattern matches), predict the filters of public names, re-assign
	// every filter.
	for i := 0; i < min(cfg.Seed, res.Aligned); i++ {
		clusters[i].evidence = clusters[i].stage1
	}
	for round := 0; round < cfg.Rounds && res.Aligned > 0; round++ {
		loc := locate(clusters, cfg, words)
		res.Located = len(loc)
		if len(loc) == 0 {
			break
		}
		preds := predict(public, cfg.grams, loc, words)
		for ci := range clusters {
			if ci%256 == 0 && ctx.Err() != nil {
				return Result{}, ctx.Err()
			}
			c := &clusters[ci]
			if name, ok := bestMatch(c.filter, preds, cfg.MinDice); ok {
				c.guess, c.evidence = name, name
			} else {
				// Evidence for the next round: confident matches and
				// the seed alignments.
				c.guess, c.evidence = c.stage1, ""
				if ci < cfg.Seed {
					c.evidence = c.stage1
				}
			}
		}
	}
	for i := 0; i < n; i++ {
		if present[i] {
			res.Guesses[i] = clusters[of[i]].guess
		}
		if !present[i] || truth[i] == "" {
			continue
		}
		res.Attacked++
		c := &clusters[of[i]]
		if c.guess != "" {
			res.Guessed++
		}
		if c.guess == truth[i] {
			res.Reidentified++
			res.Hits[i] = true
		}
		if c.stage1 == truth[i] {
			res.FrequencyReidentified++
		}
	}
	if res.Attacked > 0 {
		res.Rate = float64(res.Reidentified) / float64(res.Attacked)
	}
	return res, nil
}

// group finds the distinct filters (first words words of each), most
// frequent first; of[i] is record i's cluster (-1 when absent).
func group(filters bitvec.Arena, present []bool, words int) ([]cluster, []int) {
	idx := map[string]int{}
	var cs []cluster
	of := make([]int, filters.Len())
	for i := range of {
		of[i] = -1
		if !present[i] {
			continue
		}
		f := filters.At(i)[:words]
		key := unsafe.String((*byte)(unsafe.Pointer(&f[0])), len(f)*8)
		c, ok := idx[key]
		if !ok {
			c = len(cs)
			idx[key] = c
			cs = append(cs, cluster{filter: f})
		}
		cs[c].count++
		of[i] = c
	}
	order := make([]int, len(cs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return cs[order[a]].count > cs[order[b]].count })
	rank := make([]int, len(cs))
	sorted := make([]cluster, len(cs))
	for r, c := range order {
		rank[c] = r
		sorted[r] = cs[c]
	}
	for i, c := range of {
		if c >= 0 {
			of[i] = rank[c]
		}
	}
	return sorted, of
}

// merge groups near-identical filters by leader clustering, most frequent
// first: a filter joins the first leader it is at least minDice similar
// to. Each group's filter becomes the majority vote of its members, which
// removes most randomised-response noise.
func merge(ctx context.Context, cs []cluster, of []int, minDice float64) ([]cluster, []int, error) {
	if len(cs) == 0 {
		return cs, of, nil
	}
	leaderOf := make([]int, len(cs))
	var leaders []int
	ones := make([]int, len(cs))
	for i := range cs {
		ones[i] = popcount(cs[i].filter)
	}
	for i := range cs {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		leaderOf[i] = -1
		// Filters are compared with the first maxLeaders leaders only
		// (the most frequent values): quadratic work is bounded on large
		// files, and a rarer filter becomes a group of its own.
		for li, l := range leaders[:min(len(leaders), maxLeaders)] {
			and := 0
			for w, x := range cs[l].filter {
				and += bits.OnesCount64(x & cs[i].filter[w])
			}
			if 2*float64(and) >= minDice*float64(ones[l]+ones[i]) {
				leaderOf[i] = li
				break
			}
		}
		if leaderOf[i] < 0 {
			leaderOf[i] = len(leaders)
			leaders = append(leaders, i)
		}
	}
	words := len(cs[0].filter)
	members := make([]int, len(leaders))
	for i := range cs {
		members[leaderOf[i]]++
	}
	votes := make([][]float64, len(leaders)) // only for groups of several filters
	out := make([]cluster, len(leaders))
	for i := range cs {
		g := leaderOf[i]
		out[g].count += cs[i].count
		if members[g] == 1 {
			out[g].filter = cs[i].filter
			continue
		}
		if votes[g] == nil {
			votes[g] = make([]float64, words*64)
		}
		addBits(votes[g], cs[i].filter, float64(cs[i].count))
	}
	for g := range out {
		if votes[g] == nil {
			continue
		}
		f := make([]uint64, words)
		for b, v := range votes[g] {
			if 2*v > float64(out[g].count) {
				bitvec.Set(f, b)
			}
		}
		out[g].filter = f
	}
	// Leaders were visited by decreasing count, but merged counts may
	// reorder the groups.
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return out[order[a]].count > out[order[b]].count })
	rank := make([]int, len(out))
	sorted := make([]cluster, len(out))
	for r, g := range order {
		rank[g] = r
		sorted[r] = out[g]
	}
	newOf := make([]int, len(of))
	for i, c := range of {
		newOf[i] = -1
		if c >= 0 {
			newOf[i] = rank[leaderOf[c]]
		}
	}
	return sorted, newOf, nil
}

func sortedPublic(in []NameCount) []NameCount {
	sum := map[string]float64{}
	for _, nc := range in {
		if nc.Name != "" && nc.Count > 0 {
			sum[nc.Name] += nc.Count
		}
	}
	out := make([]NameCount, 0, len(sum))
	for n, c := range sum {
		out = append(out, NameCount{n, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// qgrams are the q-gram tokens the encoder derives from a normalised name.
func qgrams(name string, cfg Config) []string {
	g := normalize.AppendQGrams(nil, normalize.Collapse(name), cfg.Q, cfg.Padding)
	sort.Strings(g)
	out := g[:0]
	for i, s := range g {
		if i == 0 || s != g[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// locate estimates each q-gram's bit positions from the filters that
// carry a guess: a position belongs to q-gram g when it is set much more
// often in filters guessed to contain g than in the others. The K best
// positions (K from the schema) with a margin of at least minMargin are
// kept. Guesses weigh by their record count, so the frequent (and most
// reliably aligned) filters dominate.
func locate(cs []cluster, cfg Config, words int) map[string][]uint64 {
	type acc struct {
		weight float64
		votes  []float64
	}
	nbits := words * 64
	total := make([]float64, nbits)
	totalW := 0.0
	per := map[string]*acc{}
	for _, c := range cs {
		if c.evidence == "" {
			continue
		}
		w := float64(c.count)
		totalW += w
		addBits(total, c.filter, w)
		for _, g := range qgrams(c.evidence, cfg) {
			a := per[g]
			if a == nil {
				a = &acc{votes: make([]float64, nbits)}
				per[g] = a
			}
			a.weight += w
			addBits(a.votes, c.filter, w)
		}
	}
	loc := map[string][]uint64{}
	type scored struct {
		bit   int
		score float64
	}
	cand := make([]scored, nbits)
	for g, a := range per {
		if a.weight < float64(cfg.MinVotes) || totalW-a.weight <= 0 {
			continue
		}
		// Only positions above the margin can be kept: sort those alone.
		c := cand[:0]
		for b := 0; b < nbits; b++ {
			in := a.votes[b] / a.weight
			out := (total[b] - a.votes[b]) / (totalW - a.weight)
			if in-out >= minMargin {
				c = append(c, scored{b, in - out})
			}
		}
		sort.Slice(c, func(i, j int) bool {
			if c[i].score != c[j].score {
				return c[i].score > c[j].score
			}
			return c[i].bit < c[j].bit
		})
		pos := make([]uint64, words)
		kept := 0
		for _, sc := range c[:min(cfg.K, len(c))] {
			bitvec.Set(pos, sc.bit)
			kept++
		}
		if kept > 0 {
			loc[g] = pos
		}
	}
	return loc
}

// maxLeaders bounds the groups a filter is compared with in merge.
const maxLeaders = 5000

// minLead is the least lead of the best match over the second best.
const minLead = 0.05

// minMargin is the least difference in set-rates for a position to be
// attributed to a q-gram.
const minMargin = 0.3

func addBits(dst []float64, f []uint64, w float64) {
	for i, x := range f {
		for x != 0 {
			dst[i*64+bits.TrailingZeros64(x)] += w
			x &= x - 1
		}
	}
}

type prediction struct {
	name   string
	filter []uint64
	ones   int
}

// predict builds the filter of every public name whose q-grams are all
// located.
func predict(public []NameCount, grams [][]string, loc map[string][]uint64, words int) []prediction {
	var out []prediction
	for i, nc := range public {
		gs := grams[i]
		if len(gs) == 0 {
			continue
		}
		f := make([]uint64, words)
		ok := true
		for _, g := range gs {
			p, found := loc[g]
			if !found {
				ok = false
				break
			}
			for w := range f {
				f[w] |= p[w]
			}
		}
		if ok {
			out = append(out, prediction{name: nc.Name, filter: f, ones: popcount(f)})
		}
	}
	return out
}

// bestMatch returns the prediction most similar to f, if its Dice
// similarity reaches minDice and no other prediction ties with it.
func bestMatch(f []uint64, preds []prediction, minDice float64) (string, bool) {
	fo := popcount(f)
	best, second, bi := -1.0, -1.0, -1
	for i := range preds {
		p := &preds[i]
		and := 0
		for w, x := range p.filter {
			and += bits.OnesCount64(x & f[w])
		}
		d := 2 * float64(and) / float64(p.ones+fo)
		if d > best {
			best, second, bi = d, best, i
		} else if d > second {
			second = d
		}
	}
	if bi < 0 || best < minDice || best-second < minLead {
		return "", false
	}
	return preds[bi].name, true
}

func popcount(v []uint64) int {
	n := 0
	for _, x := range v {
		n += bits.OnesCount64(x)
	}
	return n
}

// Frequency runs Attack on the field filter of every target, over the whole
// file: the attack swd audit has always run, with align the number of
// frequency alignments.
func Frequency(ctx context.Context, in *Input, align int) (AttackResult, error) {
	if err := in.Validate(); err != nil {
		return AttackResult{}, err
	}
	guesses := make([][]string, len(in.Targets))
	columns := make([]string, len(in.Targets))
	var details []Result
	for ti := range in.Targets {
		t := &in.Targets[ti]
		col := t.column(in.Data)
		columns[ti] = "f_" + t.Field.Name
		r, err := Attack(ctx, col.Filters, col.Present, t.Truth, Config{
			Public: t.Public, Q: t.Field.Tokens.Q, Padding: t.Field.Tokens.Padding, K: t.Field.K,
			Balanced: t.Field.Hardening.Balance, Align: align,
		})
		if err != nil {
			return AttackResult{}, err
		}
		guesses[ti] = r.Guesses
		details = append(details, r)
	}
	res := score(AttackFrequency,
		"frequency alignment of identical (or near-identical) field filters with the public frequencies, then q-gram positions mined from the aligned filters (whole file)",
		in, guesses, columns, nil)
	res.Details = details
	return res, nil
}
