package eval

// Scores are precision, recall and their harmonic mean. A ratio 0/0 (no
// predicted or no true item) counts as 1: nothing was claimed, nothing was
// wrong.
type Scores struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

func newScores(p, r float64) Scores {
	f := 0.0
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return Scores{p, r, f}
}

// ratio0 is a/b, 0 when b is 0 (a rate of errors among nothing).
func ratio0(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 1
	}
	return a / b
}

// PairScores counts record pairs placed in the same cluster (predicted)
// against pairs of the same entity (true).
type PairScores struct {
	TruePositives  int64 `json:"true_positives"`
	FalsePositives int64 `json:"false_positives"`
	FalseNegatives int64 `json:"false_negatives"`
	Scores
}

// ClusterScores compares clusters as wholes.
type ClusterScores struct {
	Predicted int `json:"predicted"` // predicted clusters
	True      int `json:"true"`      // true entities
	Exact     int `json:"exact"`     // predicted clusters equal to a true entity
	// ExactScores: precision = Exact/Predicted, recall = Exact/True.
	ExactScores Scores `json:"exact_scores"`
	// BCubed averages, over records, the share of the record's predicted
	// cluster that is its entity (precision) and the share of its entity
	// that is in its cluster (recall).
	BCubed Scores `json:"bcubed"`
	// Split counts the true entities whose records are in more than one
	// predicted cluster, SplitRate = Split/True, MaxParts the most
	// predicted clusters one true entity is spread over. For households
	// these are the ones the DP guarantee covers at k·ε, not ε.
	Split     int     `json:"split"`
	SplitRate float64 `json:"split_rate"`
	MaxParts  int     `json:"max_parts"`
	// Merged counts the predicted clusters that hold records of more than
	// one true entity, MergeRate = Merged/Predicted.
	Merged    int     `json:"merged"`
	MergeRate float64 `json:"merge_rate"`
}

// Level is the evaluation of one grouping (persons or households).
type Level struct {
	Pairs    PairScores    `json:"pairs"`
	Clusters ClusterScores `json:"clusters"`
}

// compare evaluates predicted labels against true labels, one pair of
// labels per record, through their contingency table.
func compare(pred []int64, truth []int64) Level {
	type cell struct{ p, t int64 }
	joint := map[cell]int64{}
	np := map[int64]int64{}
	nt := map[int64]int64{}
	for i := range pred {
		joint[cell{pred[i], truth[i]}]++
		np[pred[i]]++
		nt[truth[i]]++
	}
	pairs := func(n int64) int64 { return n * (n - 1) / 2 }
	var tp, predPairs, truePairs int64
	var exact int
	var bp, br float64
	for c, n := range joint {
		tp += pairs(n)
		if n == np[c.p] && n == nt[c.t] {
			exact++
		}
		bp += float64(n) * float64(n) / float64(np[c.p])
		br += float64(n) * float64(n) / float64(nt[c.t])
	}
	for _, n := range np {
		predPairs += pairs(n)
	}
	for _, n := range nt {
		truePairs += pairs(n)
	}
	var lv Level
	lv.Pairs = PairScores{
		TruePositives:  tp,
		FalsePositives: predPairs - tp,
		FalseNegatives: truePairs - tp,
		Scores:         newScores(ratio(float64(tp), float64(predPairs)), ratio(float64(tp), float64(truePairs))),
	}
	parts := map[int64]int{}    // true entity → predicted clusters
	entities := map[int64]int{} // predicted cluster → true entities
	for c := range joint {
		parts[c.t]++
		entities[c.p]++
	}
	var split, maxParts, merged int
	for _, k := range parts {
		if k > 1 {
			split++
		}
		maxParts = max(maxParts, k)
	}
	for _, k := range entities {
		if k > 1 {
			merged++
		}
	}
	n := float64(len(pred))
	lv.Clusters = ClusterScores{
		Split:       split,
		SplitRate:   ratio0(float64(split), float64(len(nt))),
		MaxParts:    maxParts,
		Merged:      merged,
		MergeRate:   ratio0(float64(merged), float64(len(np))),
		Predicted:   len(np),
		True:        len(nt),
		Exact:       exact,
		ExactScores: newScores(ratio(float64(exact), float64(len(np))), ratio(float64(exact), float64(len(nt)))),
		BCubed:      newScores(ratio(bp, n), ratio(br, n)),
	}
	return lv
}
