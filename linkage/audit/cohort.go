package audit

import (
	"context"
	"math/bits"
	"math/rand/v2"
	"sort"
	"unsafe"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/normalize"
	"github.com/welfare-district/swd/linkage/schema"
)

// Cohorts is a partition of the records by the salt of the salted fields,
// as an attacker without the secret recovers it (RecoverCohorts).
type Cohorts struct {
	Salt   string `json:"salt"`           // the salt source field
	Part   string `json:"part,omitempty"` // what of it salts (schema.Field.SaltPart)
	Source string `json:"source"`         // the encodings the cohorts were read from: f_<salt> or clk
	// Of is the cohort of each record, -1 when it was not recovered.
	Of []int `json:"-"`
	// N is the number of cohorts (ids 0 … N-1).
	N int `json:"cohorts"`
	// Missing is the cohort of the records without a salt value (they
	// share the empty salt), or -1.
	Missing int `json:"-"`
	// Assigned is the number of records with a recovered cohort.
	Assigned int `json:"assigned"`
	// Patterns is the number of distinct group patterns used.
	Patterns int `json:"patterns"`
}

// saltTokens is how many tokens of the salt source's encoding the salt
// determines: the tokens that two values with the same salt always share
// (for a date salted by year and tokenised by parts, the year token "y:…";
// with q-grams, the q-grams of the year). The attacker reads it off the
// schema.
func saltTokens(src *schema.Field, part string) int {
	if src.Kind != schema.KindDate {
		return len(valueTokens(src, "SALT"))
	}
	if part == schema.SaltPartDate {
		return len(dateTokens(src, normalize.Date{Year: 1985, Month: 3, Day: 12}))
	}
	a := dateTokens(src, normalize.Date{Year: 1985, Month: 1, Day: 1})
	b := dateTokens(src, normalize.Date{Year: 1985, Month: 12, Day: 28})
	n := 0
	for _, x := range a {
		i := sort.SearchStrings(b, x)
		if i < len(b) && b[i] == x {
			n++
		}
	}
	return max(n, 1)
}

// dateTokens are the tokens the encoder derives from a date of field f,
// sorted.
func dateTokens(f *schema.Field, d normalize.Date) []string {
	var out []string
	if f.Tokens.Parts {
		out = d.AppendTokens(out, f.Tokens.Swap)
	}
	s := d.String()
	if f.Tokens.Exact {
		out = append(out, "="+s)
	}
	if f.Tokens.Q > 0 {
		out = normalize.AppendQGrams(out, s, f.Tokens.Q, f.Tokens.Padding)
	}
	sort.Strings(out)
	return dedup(out)
}

// valueTokens are the tokens of a non-date value (see tokensOf).
func valueTokens(f *schema.Field, norm string) []string { return tokensOf(f, norm) }

func dedup(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// saltedFields are the fields of s salted with the part of salt that have
// a filter column in ds.
func saltedFields(s *schema.Schema, ds *encoding.Dataset, salt, part string) []*schema.Field {
	var out []*schema.Field
	for i := range s.Fields {
		if f := &s.Fields[i]; f.Salt == salt && f.SaltPart == part && ds.Field(f.Name) != nil {
			out = append(out, f)
		}
	}
	return out
}

// RecoverCohorts splits the records by the salt of the fields salted with
// the salt source salt, as the linkage unit can without the secret:
// records with identical salted filters share the value and the salt, so
// the AND of their salt-source encodings (the salt field's own filter, not
// salted since it is the salt source, or else the CLK) keeps the positions
// of the tokens the salt determines (the year token of a birth date) and
// little else. Patterns that share most of those positions are intersected
// into one core per salt value; a record belongs to the cohort whose core
// its encoding contains. Records without a salt value share the empty
// salt and form a cohort of their own.
func RecoverCohorts(ctx context.Context, s *schema.Schema, ds *encoding.Dataset, salt, part string) (Cohorts, error) {
	n := ds.Len()
	c := Cohorts{Salt: salt, Part: part, Of: make([]int, n), Missing: -1}
	for i := range c.Of {
		c.Of[i] = -1
	}
	src := s.Field(salt)
	salted := saltedFields(s, ds, salt, part)
	if src == nil || len(salted) == 0 {
		return c, nil
	}
	// The evidence: the salt field's filter, or the CLK.
	var ev bitvec.Arena
	var evPresent []bool
	var k int
	if col := ds.Field(salt); col != nil {
		ev, evPresent, k = col.Filters, col.Present, src.K
		c.Source = "f_" + salt
		if src.Hardening.Balance && !src.Hardening.XORFold {
			ev = subArena(ev, seq(n), ev.Words/2)
		}
	} else if src.CLKK > 0 {
		ev, k = ds.CLK, src.CLKK
		c.Source = "clk"
	} else {
		return c, nil
	}
	words := ev.Words
	if whole := src.Kind != schema.KindDate || part == schema.SaltPartDate || src.Normalize.Precision == "year"; whole && c.Source != "clk" {
		// The salt is the source's whole value: equal salt-source filters
		// are equal salts.
		groupEqual(&c, ev, evPresent, words)
		return c, nil
	}
	// Groups of records sharing a salted filter (or, under BLIP, a
	// near-identical one).
	var groups [][]int
	for _, f := range salted {
		col := ds.Field(f.Name)
		fw := attackWords(f, col)
		var idx []int
		for i := 0; i < n; i++ {
			if col.Present[i] && (evPresent == nil || evPresent[i]) {
				idx = append(idx, i)
			}
		}
		if f.Hardening.BLIP > 0 {
			// Randomised response: copies of one value are near-identical,
			// not identical.
			groups = append(groups, nearGroups(col.Filters, idx, fw, 0.75, 1)...)
		} else {
			byKey := map[string][]int{}
			for _, i := range idx {
				fv := col.Filters.At(i)[:fw]
				key := unsafe.String((*byte)(unsafe.Pointer(&fv[0])), fw*8)
				byKey[key] = append(byKey[key], i)
			}
			for _, g := range byKey {
				groups = append(groups, g)
			}
		}
		if ctx.Err() != nil {
			return c, ctx.Err()
		}
	}
	err := coreCohorts(ctx, &c, groups, ev, evPresent, saltTokens(src, part)*k)
	return c, err
}

// coreCohorts fills c from groups of records known to share a salt: the
// AND of a group's evidence vectors keeps the positions of the salt's
// tokens (about saltBits of them); patterns are intersected into one core
// per salt value, and each record joins the most specific core its
// evidence contains. Records without evidence share the empty salt.
func coreCohorts(ctx context.Context, c *Cohorts, groups [][]int, ev bitvec.Arena, evPresent []bool, saltBits int) error {
	n := len(c.Of)
	words := ev.Words
	minCore := max(3, int(0.7*float64(saltBits)))
	patterns := map[string]int{}
	and := make([]uint64, words)
	for _, g := range groups {
		var m []int // members with evidence
		for _, i := range g {
			if evPresent == nil || evPresent[i] {
				m = append(m, i)
			}
		}
		if len(m) < 2 {
			continue
		}
		copy(and, ev.At(m[0]))
		for _, i := range m[1:] {
			for w, x := range ev.At(i) {
				and[w] &= x
			}
		}
		if popcount(and) >= minCore {
			patterns[string(wordsBytes(and))]++
		}
	}
	c.Patterns = len(patterns)
	type pat struct {
		v     []uint64
		ones  int
		count int // groups that gave this pattern
	}
	ps := make([]pat, 0, len(patterns))
	for key, cnt := range patterns {
		v := bytesWords(key)
		ps = append(ps, pat{v, popcount(v), cnt})
	}
	sort.Slice(ps, func(a, b int) bool {
		if ps[a].ones != ps[b].ones {
			return ps[a].ones < ps[b].ones
		}
		return lessWords(ps[a].v, ps[b].v)
	})
	// Cores: the intersection of the patterns that share at least minCore
	// positions with it (smallest patterns first, so a core starts from
	// the salt's tokens alone when it can).
	type core struct {
		v       []uint64
		ones    int
		support int
	}
	// Only patterns of about the salt's size start a core: a pattern that
	// also holds a shared month (two people of one year and one month)
	// would otherwise start a core that the same month of another year
	// would intersect down to the month. The CLK has no such patterns
	// (they hold the shared value's tokens too): there any pattern may.
	maxStart := int(1.4 * float64(saltBits))
	if c.Source == "clk" {
		maxStart = words * 64
	}
	var cores []core
	for _, p := range ps {
		best, bestAnd := -1, 0
		for ci := range cores {
			if a := andCount(cores[ci].v, p.v); a > bestAnd {
				best, bestAnd = ci, a
			}
		}
		if best >= 0 && bestAnd >= minCore {
			cv := cores[best].v
			for w := range cv {
				cv[w] &= p.v[w]
			}
			cores[best].ones = bestAnd
			cores[best].support += p.count
			continue
		}
		if p.ones <= maxStart {
			cores = append(cores, core{v: append([]uint64(nil), p.v...), ones: p.ones, support: p.count})
		}
	}
	kept := cores[:0]
	for _, co := range cores {
		if co.support >= 2 {
			kept = append(kept, co)
		}
	}
	cores = kept
	// Assignment: the most specific core an evidence vector contains.
	// Cores are indexed by their lowest position.
	byBit := make([][]int, words*64)
	for ci, co := range cores {
		byBit[firstBit(co.v)] = append(byBit[firstBit(co.v)], ci)
	}
	for i := 0; i < n; i++ {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if evPresent != nil && !evPresent[i] {
			continue
		}
		e := ev.At(i)
		best, bestOnes := -1, 0
		for w, x := range e {
			for x != 0 {
				b := w*64 + bits.TrailingZeros64(x)
				x &= x - 1
				for _, ci := range byBit[b] {
					co := &cores[ci]
					if co.ones > bestOnes && andCount(co.v, e) == co.ones {
						best, bestOnes = ci, co.ones
					}
				}
			}
		}
		c.Of[i] = best
	}
	c.N = len(cores)
	if evPresent != nil {
		// Records without the salt value share the empty salt.
		for i := 0; i < n; i++ {
			if !evPresent[i] {
				if c.Missing < 0 {
					c.Missing = c.N
					c.N++
				}
				c.Of[i] = c.Missing
			}
		}
	}
	for _, o := range c.Of {
		if o >= 0 {
			c.Assigned++
		}
	}
	return nil
}

// groupEqual makes one cohort of each distinct evidence vector; records
// without evidence share the empty salt.
func groupEqual(c *Cohorts, ev bitvec.Arena, present []bool, words int) {
	ids := map[string]int{}
	for i := range c.Of {
		if present != nil && !present[i] {
			continue
		}
		v := ev.At(i)[:words]
		key := unsafe.String((*byte)(unsafe.Pointer(&v[0])), words*8)
		id, ok := ids[key]
		if !ok {
			id = len(ids)
			ids[key] = id
		}
		c.Of[i] = id
	}
	c.N = len(ids)
	for i := range c.Of {
		if present != nil && !present[i] {
			if c.Missing < 0 {
				c.Missing = c.N
				c.N++
			}
			c.Of[i] = c.Missing
		}
	}
	for _, o := range c.Of {
		if o >= 0 {
			c.Assigned++
		}
	}
}

// Members lists the records of each cohort.
func (c *Cohorts) Members() [][]int {
	out := make([][]int, c.N)
	for i, o := range c.Of {
		if o >= 0 {
			out[o] = append(out[o], i)
		}
	}
	return out
}

// SaltCohorts recovers the cohorts of every salt of in's schema that salts
// a field with a filter column, keyed by salt (RecoverCohorts).
func SaltCohorts(ctx context.Context, in *Input) (map[string]*Cohorts, error) {
	out := map[string]*Cohorts{}
	for i := range in.Schema.Fields {
		f := &in.Schema.Fields[i]
		if f.Salt == "" || out[saltKey(f)] != nil || in.Data.Field(f.Name) == nil {
			continue
		}
		c, err := RecoverCohorts(ctx, in.Schema, in.Data, f.Salt, f.SaltPart)
		if err != nil {
			return nil, err
		}
		out[saltKey(f)] = &c
	}
	return out, nil
}

// Cohort runs the cohort attack: inside each salt cohort (cohorts, from
// SaltCohorts; nil recovers them), it attacks the salted target fields
// with the frequency attack (Attack), since within a cohort every value
// has one filter again. Unsalted targets are left to the other attacks.
func Cohort(ctx context.Context, in *Input, cohorts map[string]*Cohorts, align int) (AttackResult, error) {
	if err := in.Validate(); err != nil {
		return AttackResult{}, err
	}
	if cohorts == nil {
		var err error
		if cohorts, err = SaltCohorts(ctx, in); err != nil {
			return AttackResult{}, err
		}
	}
	n := in.Data.Len()
	guesses := make([][]string, len(in.Targets))
	columns := make([]string, len(in.Targets))
	parts, salted := 0, 0
	for ti := range in.Targets {
		t := &in.Targets[ti]
		columns[ti] = "f_" + t.Field.Name
		if t.Field.Salt == "" {
			continue
		}
		salted++
		col := t.column(in.Data)
		words := attackWords(t.Field, col)
		g := make([]string, n)
		cfg := Config{Public: t.Public, Q: t.Field.Tokens.Q, Padding: t.Field.Tokens.Padding, K: t.Field.K}
		cfg.prepare()
		for _, idx := range partitionsFor(t.Field, cohorts, n, col.Present) {
			if len(idx) < 2 {
				continue
			}
			parts++
			sub := subArena(col.Filters, idx, words)
			present := make([]bool, len(idx))
			for j := range present {
				present[j] = true
			}
			cfg.Align = min(align, len(idx))
			r, err := Attack(ctx, sub, present, make([]string, len(idx)), cfg)
			if err != nil {
				return AttackResult{}, err
			}
			for j, i := range idx {
				g[i] = r.Guesses[j]
			}
		}
		guesses[ti] = g
	}
	res := score(AttackCohort,
		"salt cohorts recovered by ANDing the salt-source encodings of records with identical salted filters, then the frequency attack inside each cohort",
		in, guesses, columns, nil)
	res.Partitions = parts
	if salted == 0 {
		res.Notes = append(res.Notes, "no target field is salted")
	}
	return res, nil
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func andCount(a, b []uint64) int {
	n := 0
	for w, x := range a {
		n += bits.OnesCount64(x & b[w])
	}
	return n
}

func firstBit(v []uint64) int {
	for w, x := range v {
		if x != 0 {
			return w*64 + bits.TrailingZeros64(x)
		}
	}
	return 0
}

func lessWords(a, b []uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func wordsBytes(v []uint64) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*8)
}

func bytesWords(s string) []uint64 {
	v := make([]uint64, len(s)/8)
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*8), s)
	return v
}

// nearGroups groups the filters of records idx (first words words) whose
// Dice similarity reaches minDice, by bit-sampling LSH (12 tables of 14
// sampled positions: copies of a value under 5% randomised response meet
// in some table with probability above 0.95) and union-find over the
// verified pairs. Groups of one record are left out.
func nearGroups(a bitvec.Arena, idx []int, words int, minDice float64, seed uint64) [][]int {
	const tables, sample = 12, 14
	parent := make([]int, len(idx))
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	ones := make([]int, len(idx))
	for j, i := range idx {
		ones[j] = popcount(a.At(i)[:words])
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	nbits := words * 64
	for range tables {
		pos := rng.Perm(nbits)[:sample]
		buckets := map[uint64][]int{}
		for j, i := range idx {
			v := a.At(i)
			var key uint64
			for b, p := range pos {
				if v[p>>6]&(1<<(p&63)) != 0 {
					key |= 1 << b
				}
			}
			buckets[key] = append(buckets[key], j)
		}
		for _, bk := range buckets {
			if len(bk) < 2 || len(bk) > 2000 {
				continue // a bucket of thousands is a dense key, not a value
			}
			for x, j := range bk {
				vj := a.At(idx[j])[:words]
				for _, k := range bk[x+1:] {
					if find(j) == find(k) {
						continue
					}
					and := andCount(vj, a.At(idx[k])[:words])
					if 2*float64(and) >= minDice*float64(ones[j]+ones[k]) {
						parent[find(j)] = find(k)
					}
				}
			}
		}
	}
	byRoot := map[int][]int{}
	for j, i := range idx {
		r := find(j)
		byRoot[r] = append(byRoot[r], i)
	}
	var out [][]int
	for _, g := range byRoot {
		if len(g) >= 2 {
			out = append(out, g)
		}
	}
	return out
}
