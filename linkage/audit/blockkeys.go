package audit

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/normalize"
	"github.com/welfare-district/swd/linkage/schema"
)

// BlockingKeys attacks the keyed blocking keys built from a phonetic code
// of a target field, such as [soundex(surname), year(birth_date)]. A key is
// a MAC, but equal keys are equal parts: records sharing a key share the
// year of birth, so the AND of their (unsalted) date filters reveals the
// year token and splits the file into year cohorts (as in Cohort); a
// value() part splits it by equal filters of that field. Inside each
// partition, the keys' frequencies are those of the phonetic codes, and
// are aligned with the public codes' frequencies; a record whose key is
// aligned gets the most frequent public value with that code and with the
// token count its (salted) filter's popcount implies.
func BlockingKeys(ctx context.Context, in *Input, align int) (AttackResult, error) {
	if err := in.Validate(); err != nil {
		return AttackResult{}, err
	}
	n := in.Data.Len()
	guesses := make([][]string, len(in.Targets))
	columns := make([]string, len(in.Targets))
	parts := 0
	var notes []string
	for ti := range in.Targets {
		t := &in.Targets[ti]
		g := make([]string, n)
		var used []string
		for bi, bk := range in.Schema.Blocking {
			col := in.Data.BlockKeys[bi]
			if col.Name != bk.Name || !phoneticOf(in.Schema, bk, t.Field.Name) {
				continue
			}
			used = append(used, "bk_"+bk.Name)
			part, np, err := keyPartitions(ctx, in, bk, col.Values, t.Field.Name)
			if err != nil {
				return AttackResult{}, err
			}
			parts += np
			kg := alignKeys(in, t, col.Values, part, align)
			for i, v := range kg {
				if g[i] == "" {
					g[i] = v
				}
			}
		}
		if len(used) == 0 {
			continue
		}
		columns[ti] = strings.Join(used, "+")
		guesses[ti] = g
	}
	res := score(AttackBlockingKeys,
		"blocking keys with a phonetic code of a target: partitions by the key's other parts (year cohorts from the date filters of records sharing a key), then key frequencies aligned with public phonetic codes; the value guessed from the code and the filter's token count",
		in, guesses, columns, nil)
	res.Partitions = parts
	res.Notes = notes
	if len(res.Fields) == 0 {
		res.Notes = append(res.Notes, "no blocking key holds a phonetic code of a target field")
	}
	return res, nil
}

// phoneticOf reports whether key bk has a soundex() part of field.
func phoneticOf(s *schema.Schema, bk schema.BlockKey, field string) bool {
	for _, p := range bk.Parts {
		if part, err := s.ParsePart(p); err == nil && part.Func == schema.FuncSoundex && part.Field == field {
			return true
		}
	}
	return false
}

// keyPartitions splits the records by the parts of key bk other than the
// target's phonetic code, as far as the file reveals them: a year() of a
// date with a filter column gives year cohorts (cores of the date filters
// of records sharing a key), a value() of a field with a filter column
// gives groups of equal filters; other parts are not split on. It returns
// each record's partition ("" = unknown) and the number of partitions.
func keyPartitions(ctx context.Context, in *Input, bk schema.BlockKey, keys []string, target string) ([]string, int, error) {
	n := in.Data.Len()
	out := make([]string, n)
	// Records sharing a key.
	byKey := map[string][]int{}
	for i, k := range keys {
		if k != "" {
			byKey[k] = append(byKey[k], i)
		}
	}
	var groups [][]int
	for _, g := range byKey {
		if len(g) >= 2 {
			groups = append(groups, g)
		}
	}
	for _, p := range bk.Parts {
		part, err := in.Schema.ParsePart(p)
		if err != nil || part.Field == target {
			continue
		}
		f := in.Schema.Field(part.Field)
		col := in.Data.Field(part.Field)
		if f == nil || col == nil {
			continue
		}
		c := Cohorts{Salt: part.Field, Source: "f_" + part.Field, Of: make([]int, n), Missing: -1}
		for i := range c.Of {
			c.Of[i] = -1
		}
		words := attackWords(f, col)
		ev := col.Filters
		if words != ev.Words {
			ev = subArena(ev, seq(n), words)
		}
		switch {
		case part.Func == schema.FuncYear && f.Kind == schema.KindDate:
			if err := coreCohorts(ctx, &c, groups, ev, col.Present, saltTokens(f, "")*f.K); err != nil {
				return nil, 0, err
			}
		case part.Func == schema.FuncValue:
			groupEqual(&c, ev, col.Present, words)
		default:
			continue
		}
		for i, o := range c.Of {
			if o < 0 || c.Missing >= 0 && o == c.Missing {
				out[i] = "\x00" // unknown: never aligned
				continue
			}
			if out[i] != "\x00" {
				out[i] += strconv.Itoa(o) + "/"
			}
		}
	}
	seen := map[string]bool{}
	for _, p := range out {
		if p != "\x00" {
			seen[p] = true
		}
	}
	return out, len(seen), nil
}

// alignKeys aligns, inside each partition, the keys seen at least twice
// with the public phonetic codes by frequency, and guesses each record's
// value from its key's code.
func alignKeys(in *Input, t *Target, keys, part []string, align int) []string {
	n := len(keys)
	out := make([]string, n)
	// Public codes by frequency, and their values by frequency.
	codeCount := map[string]float64{}
	type cand struct {
		name  string
		count float64
		ntok  int
	}
	values := map[string][]cand{}
	for _, nc := range sortedPublic(t.Public) {
		code := normalize.Phonetic(nc.Name)
		if code == "" {
			continue
		}
		codeCount[code] += nc.Count
		values[code] = append(values[code], cand{nc.Name, nc.Count, len(tokensOf(t.Field, nc.Name))})
	}
	codes := make([]string, 0, len(codeCount))
	for c := range codeCount {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(a, b int) bool {
		if codeCount[codes[a]] != codeCount[codes[b]] {
			return codeCount[codes[a]] > codeCount[codes[b]]
		}
		return codes[a] < codes[b]
	})
	// Keys per partition.
	type kc struct {
		key   string
		count int
	}
	byPart := map[string]map[string]int{}
	for i, k := range keys {
		if k == "" || part[i] == "\x00" {
			continue
		}
		m := byPart[part[i]]
		if m == nil {
			m = map[string]int{}
			byPart[part[i]] = m
		}
		m[k]++
	}
	codeOf := map[string]string{} // partition ‖ key → aligned code
	for p, m := range byPart {
		ks := make([]kc, 0, len(m))
		for k, c := range m {
			if c >= 2 { // a key seen once carries no frequency
				ks = append(ks, kc{k, c})
			}
		}
		sort.Slice(ks, func(a, b int) bool {
			if ks[a].count != ks[b].count {
				return ks[a].count > ks[b].count
			}
			return ks[a].key < ks[b].key
		})
		for r := 0; r < min(len(ks), len(codes), align); r++ {
			codeOf[p+"\x00"+ks[r].key] = codes[r]
		}
	}
	col := t.column(in.Data)
	words := attackWords(t.Field, col)
	for i, k := range keys {
		code, ok := codeOf[part[i]+"\x00"+k]
		if !ok {
			continue
		}
		est := -1.0
		if col.Present[i] {
			ones := denoise(bitvec.Count(col.Filters.At(i)[:words]), words*64, t.Field.Hardening.BLIP)
			est = estimateItems(ones, words*64, t.Field.K)
		}
		for _, c := range values[code] {
			if est < 0 || math.Abs(float64(c.ntok)-est) <= 0.5 {
				out[i] = c.name
				break
			}
		}
	}
	return out
}
