package match

import "slices"

// topK keeps the k best matches of one query in a min-heap (the worst kept
// match at the root). Better means a higher score, then a lower J.
type topK struct {
	k int
	h []Match
}

func better(x, y Match) bool { return x.Score > y.Score || x.Score == y.Score && x.J < y.J }

func (t *topK) reset() { t.h = t.h[:0] }

func (t *topK) push(m Match) {
	if len(t.h) < t.k {
		t.h = append(t.h, m)
		t.up(len(t.h) - 1)
		return
	}
	if !better(m, t.h[0]) {
		return
	}
	t.h[0] = m
	t.down(0)
}

func (t *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !better(t.h[p], t.h[i]) {
			return
		}
		t.h[p], t.h[i] = t.h[i], t.h[p]
		i = p
	}
}

func (t *topK) down(i int) {
	for {
		w := i
		for _, c := range []int{2*i + 1, 2*i + 2} {
			if c < len(t.h) && better(t.h[w], t.h[c]) {
				w = c
			}
		}
		if w == i {
			return
		}
		t.h[w], t.h[i] = t.h[i], t.h[w]
		i = w
	}
}

// appendSorted appends the kept matches to out, best first.
func (t *topK) appendSorted(out []Match) []Match {
	start := len(out)
	out = append(out, t.h...)
	slices.SortFunc(out[start:], func(x, y Match) int {
		if better(x, y) {
			return -1
		}
		if better(y, x) {
			return 1
		}
		return 0
	})
	return out
}
