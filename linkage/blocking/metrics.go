package blocking

import "slices"

// PairCompleteness is the fraction of the true matching pairs that are
// among the candidates (the recall of blocking); 1 when there are no true
// pairs. Neither slice needs to be sorted; duplicates count once.
func PairCompleteness(cands, truePairs []Pair) float64 {
	truth := packSet(truePairs)
	if len(truth) == 0 {
		return 1
	}
	have := packSet(cands)
	found := 0
	for _, x := range truth {
		if _, ok := slices.BinarySearch(have, x); ok {
			found++
		}
	}
	return float64(found) / float64(len(truth))
}

// ReductionRatio is 1 - nCands/(nA·nB): the share of the comparison space
// that blocking avoids. For deduplication use ReductionRatioDedup.
func ReductionRatio(nCands int64, nA, nB int) float64 {
	total := float64(nA) * float64(nB)
	if total == 0 {
		return 0
	}
	return 1 - float64(nCands)/total
}

// ReductionRatioDedup is 1 - nCands/(n(n-1)/2).
func ReductionRatioDedup(nCands int64, n int) float64 {
	total := float64(n) * float64(n-1) / 2
	if total == 0 {
		return 0
	}
	return 1 - float64(nCands)/total
}

func packSet(ps []Pair) []uint64 {
	out := make([]uint64, len(ps))
	for k, p := range ps {
		out[k] = p.Pack()
	}
	slices.Sort(out)
	return slices.Compact(out)
}
