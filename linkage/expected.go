package linkage

import (
	"context"
	"slices"

	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/model"
)

// maxChainRecords bounds the persons whose pairs get the strongest-chain
// probability (a cubic closure); larger ones count each pair's own
// posterior.
const maxChainRecords = 64

// personsExpected is the expected quality of the persons (see Expected):
// for every pair of records placed in one person, its probability of being
// one person; with the posteriors of the pairs that were not candidates
// added to the expected true pairs. Recall is left to Report.finish.
func personsExpected(ds []*encoding.Dataset, jobs []*job, links []cluster.Link, pw *pairWeigher) (Expected, error) {
	partner := map[string]int{}
	for p, d := range ds {
		partner[d.Meta.Partner] = p
	}
	rows := make([]map[string]int, len(ds))
	ref := func(l cluster.Link) cluster.Ref {
		p := partner[l.Partner]
		if rows[p] == nil {
			rows[p] = make(map[string]int, ds[p].Len())
			for i, id := range ds[p].RecordIDs {
				rows[p][id] = i
			}
		}
		return cluster.Ref{Partner: p, Row: rows[p][l.RecordID]}
	}
	canon := func(a, b cluster.Ref) ([2]int, uint64) {
		if a.Partner > b.Partner || a.Partner == b.Partner && a.Row > b.Row {
			a, b = b, a
		}
		return [2]int{a.Partner, b.Partner}, blocking.Pair{I: uint32(a.Row), J: uint32(b.Row)}.Pack()
	}
	// The pairs inside persons, looked up in the candidates in one pass
	// over each job's (compact, maybe spilled) list.
	queries := map[[2]int][]uint64{}
	forPairs(links, ref, func(refs []cluster.Ref) {
		for x := range refs {
			for y := x + 1; y < len(refs); y++ {
				k, p := canon(refs[x], refs[y])
				queries[k] = append(queries[k], p)
			}
		}
	})
	found := map[[2]int][]uint64{}
	for _, j := range jobs {
		k := [2]int{j.a, j.b}
		qs := queries[k]
		if len(qs) == 0 {
			continue
		}
		slices.Sort(qs)
		qs = slices.Compact(qs)
		in, err := j.cands.Contains(qs)
		if err != nil {
			return Expected{}, err
		}
		var f []uint64
		for x, ok := range in {
			if ok {
				f = append(f, qs[x])
			}
		}
		found[k] = f
	}
	candidate := func(a, b cluster.Ref) bool {
		k, p := canon(a, b)
		_, ok := slices.BinarySearch(found[k], p)
		return ok
	}
	var e Expected
	var prob [][]float64
	forPairs(links, ref, func(refs []cluster.Ref) {
		k := len(refs)
		prob = prob[:0]
		for x := range k {
			row := make([]float64, k)
			for y := range k {
				if y == x {
					row[y] = 1
					continue
				}
				if y < x {
					row[y] = prob[y][x]
					continue
				}
				if w, ok := pw.weight(refs[x], refs[y]); ok {
					row[y] = probability(w)
					if !candidate(refs[x], refs[y]) {
						e.TruePairs += row[y]
					}
				}
			}
			prob = append(prob, row)
		}
		if k <= maxChainRecords {
			for z := range k {
				for x := range k {
					for y := range k {
						prob[x][y] = max(prob[x][y], prob[x][z]*prob[z][y])
					}
				}
			}
		}
		for x := range k {
			for y := x + 1; y < k; y++ {
				e.Matches += prob[x][y]
			}
		}
		e.Accepted += int64(k * (k - 1) / 2)
	})
	return e, nil
}

// forPairs calls fn with the records of every person of two records or
// more (links are ordered by person).
func forPairs(links []cluster.Link, ref func(cluster.Link) cluster.Ref, fn func(refs []cluster.Ref)) {
	for lo := 0; lo < len(links); {
		hi := lo + 1
		for hi < len(links) && links[hi].ClusterID == links[lo].ClusterID {
			hi++
		}
		if k := hi - lo; k >= 2 {
			refs := make([]cluster.Ref, k)
			for i := range refs {
				refs[i] = ref(links[lo+i])
			}
			fn(refs)
		}
		lo = hi
	}
}

// identifying reports which comparisons identify a person on their own:
// the anchors whose top level random pairs rarely reach (u < 0.1: not sex).
func identifying(cmps []model.Comparison, u [][]float64) []bool {
	out := make([]bool, len(cmps))
	for f, c := range cmps {
		out[f] = c.Anchor && u[f][c.Levels()-1] < 0.1
	}
	return out
}

// unidentifiable returns a test of pattern keys: every identifying field
// missing (level 0).
func unidentifiable(cmps []model.Comparison, ident []bool) func(key uint64) bool {
	place := make([]uint64, len(cmps))
	p := uint64(1)
	for f, c := range cmps {
		place[f] = p
		p *= uint64(c.Levels())
	}
	some := false
	for _, id := range ident {
		some = some || id
	}
	return func(key uint64) bool {
		if !some {
			return false
		}
		for f, id := range ident {
			if id && key/place[f]%uint64(cmps[f].Levels()) != 0 {
				return false
			}
		}
		return true
	}
}

// missedByBlocking estimates the true pairs of a job that blocking could
// not propose: those whose identifying fields are all missing on one side
// or the other (or incomparable, a salt missing on one side), as a share q
// of the random pairs of the job are. Assuming a match is so as often as a
// random pair, and that blocking finds the matches it can compare, the job
// holds M = (Σp − S)/(1 − q) matches, S the expected matches among its
// candidates that are so, of which qM − S were never proposed.
func missedByBlocking(j *job, unident func(uint64) bool, sumP, sumUnident float64) float64 {
	var n, k float64
	for key, c := range j.random {
		n += float64(c)
		if unident(key) {
			k += float64(c)
		}
	}
	if n == 0 || k >= n {
		return 0
	}
	q := k / n
	m := (sumP - sumUnident) / (1 - q)
	return max(0, q*m-sumUnident)
}

// ensureRandom samples the random pairs of the jobs that have none (a
// saved model was applied: u was not sampled).
func ensureRandom(ctx context.Context, ds []*encoding.Dataset, jobs []*job, cmps []model.Comparison, cfg Config) error {
	total := comparisonSpace(ds, jobs)
	for k, j := range jobs {
		if j.random != nil {
			continue
		}
		n, seed := USample(k, j.space(ds), total, cfg)
		if n == 0 {
			continue
		}
		c, err := j.comparer(ds, cmps)
		if err != nil {
			return err
		}
		pc, err := model.SamplePatternsN(ctx, c, n, seed, cfg.Workers)
		if err != nil {
			return err
		}
		j.random = pc
	}
	return nil
}
