package linkage

import (
	"bytes"
	"strings"
	"testing"
)

// TestHistogramAxes: the match-weight histogram has y-axis values and
// labels its open-ended end bins as such; counts take their plural.
func TestHistogramAxes(t *testing.T) {
	h := newScoreHist(0.9)
	post := func(w float64) float64 { // the bars are split into expected non-matches and matches
		if w > 0 {
			return 1
		}
		return 0
	}
	for _, w := range []float64{-120, -55, -3.5, -3.2, 0.5, 12, 12, 39, 85} {
		for range 7 {
			h.add(w, post(w))
		}
	}
	h.add(12, 1) // 15 matches of weight 12, the largest bar
	r := &Report{WeightHistogram: h.bins}
	r.trimHistogram()
	if n := len(r.WeightHistogram); !r.WeightHistogram[0].OpenBelow || !r.WeightHistogram[n-1].OpenAbove || r.WeightHistogram[0].Pairs != 14 || r.WeightHistogram[n-1].Pairs != 14 {
		t.Fatalf("end bins %+v … %+v", r.WeightHistogram[0], r.WeightHistogram[n-1])
	}
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{">&lt;−39<", ">≥39<", "weight below −39: 14 pairs", "weight 39 or more: 14 pairs",
		`text-anchor="end">0<`, `text-anchor="end">1<`, `text-anchor="end">10<`, "open-ended", ">pairs</text>"} {
		if !strings.Contains(page, want) {
			t.Errorf("histogram lacks %q", want)
		}
	}
	if strings.Contains(page, `text-anchor="end">100<`) {
		t.Error("the y axis goes past the largest bar (15 pairs)")
	}
}

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n    any
		want string
	}{{1, "1 pair"}, {int64(1), "1 pair"}, {0, "0 pairs"}, {int64(12), "12 pairs"}} {
		if got := plural(tt.n, "pair", "pairs"); got != tt.want {
			t.Errorf("plural(%v) = %q", tt.n, got)
		}
	}
}
