package dp

import (
	"fmt"
	"math"
	"testing"
)

// The noise comes from crypto-grade randomness inside the DP library and
// cannot be seeded, so these tests use tolerances of about 5 standard errors:
// a correct implementation fails them with probability well below 1e-5.

// statDomain is small on purpose: each noisy cell costs two draws of
// cryptographic noise (tens of µs each), and the tests draw ~10⁵ of them.
func statDomain() Domain {
	d := DefaultDomain([]string{"acli", "caritas", "comune"})
	d.Districts = []string{"1", "2", "3"}
	d.Needs = []string{"casa", "lavoro", "salute"}
	return d
}

// statHouseholds puts two households with one need in every district × need
// cell, with partners cycling so every table has non-trivial true counts.
func statHouseholds() []Household {
	d := statDomain()
	partners := d.Partners
	var hs []Household
	for i, dist := range d.Districts {
		for j, n := range d.Needs {
			for r := 0; r < 2; r++ {
				k := 2*(i*len(d.Needs)+j) + r
				ps := []string{partners[k%3]}
				if k%4 == 0 {
					ps = append(ps, partners[(k+1)%3])
				}
				hs = append(hs, Household{ID: fmt.Sprint(k), District: dist, Needs: []string{n}, Partners: ps})
			}
		}
	}
	return hs
}

// trueCounts computes every table's true counts independently of the
// aggregation code (each household here has one need, within the domain).
func trueCounts(hs []Household, d Domain) map[string]map[string]int64 {
	tc := map[string]map[string]int64{}
	add := func(q string, keys ...string) {
		if tc[q] == nil {
			tc[q] = map[string]int64{}
		}
		tc[q][fmt.Sprint(keys)]++
	}
	for _, h := range hs {
		add(QueryDistrictNeed, h.District, h.Needs[0])
		add(QueryDistrict, h.District)
		add(QueryNeedsSum, h.District) // one need each
		add(QueryPartners, fmt.Sprint(len(h.Partners)))
		pub := d.Public.IsPublic(h.Partners[0]) || (len(h.Partners) > 1 && d.Public.IsPublic(h.Partners[1]))
		add(QueryTotals, MeasureHouseholds)
		if pub {
			add(QueryTotals, MeasurePublic)
		} else {
			add(QueryTotals, MeasureThirdOnly)
			add(QueryMissingMiddle, h.District)
		}
	}
	return tc
}

type noiseStats struct {
	n, covered     int
	sum, sumSq     float64
	sampleNoiseStd float64
}

func runReleases(t *testing.T, p Params, releases int) map[string]*noiseStats {
	t.Helper()
	hs := statHouseholds()
	d := statDomain()
	truth := trueCounts(hs, d)
	stats := map[string]*noiseStats{}
	for r := 0; r < releases; r++ {
		a, err := NewAggregation(p, d)
		if err != nil {
			t.Fatal(err)
		}
		a.noClamp = true
		for _, h := range hs {
			if err := a.Add(h); err != nil {
				t.Fatal(err)
			}
		}
		res, err := a.Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range res.Tables {
			s := stats[tb.Query]
			if s == nil {
				s = &noiseStats{sampleNoiseStd: tb.NoiseStd}
				stats[tb.Query] = s
			}
			for _, c := range tb.Cells {
				tv := truth[tb.Query][fmt.Sprint(c.Keys)]
				e := float64(c.Value-tv) / tb.NoiseStd
				s.n++
				s.sum += e
				s.sumSq += e * e
				if float64(tv) >= c.CILower && float64(tv) <= c.CIUpper {
					s.covered++
				}
			}
		}
	}
	return stats
}

// TestNoiseScaleAndCoverage: over many releases of the same data, the noise
// of every table has mean 0 and the standard deviation the mechanism
// promises (Laplace: sqrt(2)·b with b = L0/ε_query; Gaussian: the library's
// σ), and the 95% intervals cover the true count 95% of the time.
func TestNoiseScaleAndCoverage(t *testing.T) {
	releases := 2000
	if testing.Short() || raceEnabled {
		releases = 400
	}
	for _, p := range []Params{
		{Epsilon: 1, MaxNeeds: 3, Mechanism: MechanismLaplace, Split: map[string]float64{QueryDistrictNeed: 0.3,
			QueryDistrict: 0.15, QueryPartners: 0.15, QueryMissingMiddle: 0.1, QueryTotals: 0.15, QueryNeedsSum: 0.15}},
		{Epsilon: 1, Delta: 1e-5, MaxNeeds: 3, Mechanism: MechanismGaussian},
	} {
		t.Run(p.Mechanism, func(t *testing.T) {
			n := releases
			if p.Mechanism == MechanismGaussian {
				n /= 2
			}
			stats := runReleases(t, p, n)
			var all, covered int
			for q, s := range stats {
				mean := s.sum / float64(s.n)
				std := math.Sqrt(s.sumSq/float64(s.n) - mean*mean)
				// Standard error of a sample std: Laplace (kurtosis 6)
				// sqrt(5/(4n)), Gaussian sqrt(1/(2n)); of the mean 1/sqrt(n)
				// (in units of the noise std).
				seStd := math.Sqrt(5 / (4 * float64(s.n)))
				if p.Mechanism == MechanismGaussian {
					seStd = math.Sqrt(1 / (2 * float64(s.n)))
				}
				tolStd, tolMean := 5*seStd+0.005, 5/math.Sqrt(float64(s.n))
				t.Logf("%s: %d cells, std/expected %.4f (tolerance ±%.4f), mean %.4f (±%.4f), coverage %.4f",
					q, s.n, std, tolStd, mean, tolMean, float64(s.covered)/float64(s.n))
				if math.Abs(std-1) > tolStd {
					t.Errorf("%s: empirical noise std is %.4f × the promised %.3f", q, std, s.sampleNoiseStd)
				}
				if math.Abs(mean) > tolMean {
					t.Errorf("%s: noise mean %.4f std units, want 0", q, mean)
				}
				all += s.n
				covered += s.covered
			}
			// Integer intervals are slightly conservative (≈95.0–95.4% here);
			// SE of the pooled rate is < 0.002. Tolerance: [0.94, 0.965].
			cov := float64(covered) / float64(all)
			t.Logf("pooled coverage of %d intervals: %.4f", all, cov)
			if cov < 0.94 || cov > 0.965 {
				t.Errorf("95%% intervals cover %.4f of true values", cov)
			}
		})
	}
}

// TestNeighbourAudit is an empirical DP audit: the output distribution of a
// fixed cell on a dataset and on its neighbour (one household removed) must
// have ratios within e^ε in every well-populated histogram bin. The same
// audit run on a mechanism with too little noise must fail, to show that
// the audit can detect a violation.
func TestNeighbourAudit(t *testing.T) {
	const eps = 0.5
	releases := 12000
	if testing.Short() || raceEnabled {
		releases = 4000
	}
	d := statDomain()
	d.Districts = []string{"1"} // one noisy cell per release
	var data []Household
	for i := 0; i < 20; i++ {
		data = append(data, Household{ID: fmt.Sprint(i), District: "1", Needs: []string{"casa"}, Partners: []string{"caritas"}})
	}
	neighbour := data[:len(data)-1]
	// Bins are two counts wide; a bin's probability ratio is bounded by e^ε
	// as each value's is.
	hist := func(hs []Household, epsilon float64, releases int) map[int64]int {
		h := map[int64]int{}
		p := Params{Epsilon: epsilon, Split: map[string]float64{QueryDistrict: 1}}
		for r := 0; r < releases; r++ {
			a, err := NewAggregation(p, d)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range hs {
				_ = a.Add(x)
			}
			res, _ := a.Result()
			tb, _ := res.Table(QueryDistrict)
			h[tb.Cells[0].Value/2]++
		}
		return h
	}
	maxRatio := func(h1, h2 map[int64]int, releases int) (float64, int) {
		worst, bins := 0.0, 0
		for v, c1 := range h1 {
			c2 := h2[v]
			if c1 < releases/40 || c2 < releases/40 { // ≥ 2.5% of the mass in both
				continue
			}
			bins++
			r := float64(c1) / float64(c2)
			worst = math.Max(worst, math.Max(r, 1/r))
		}
		return worst, bins
	}
	// With ≥ releases/40 samples per bin the ratio's relative SE is at most
	// sqrt(2·40/releases) (8% at 12,000): tolerance 4 SE, so the audit
	// detects violations worse than about ε + 0.3.
	tol := 1 + 4*math.Sqrt(80/float64(releases))
	bound := math.Exp(eps) * tol
	worst, bins := maxRatio(hist(data, eps, releases), hist(neighbour, eps, releases), releases)
	t.Logf("ε=%.2f: worst bin ratio %.3f over %d bins, bound e^ε·%.3f = %.3f", eps, worst, bins, tol, bound)
	if bins < 3 || worst > bound {
		t.Fatalf("neighbouring datasets differ by a ratio %.3f > %.3f (%d bins)", worst, bound, bins)
	}
	// A mechanism with 4× too little noise (ε really 2) must be caught.
	worst, bins = maxRatio(hist(data, 4*eps, releases/4), hist(neighbour, 4*eps, releases/4), releases/4)
	t.Logf("broken (ε=%.1f claimed %.1f): worst ratio %.3f over %d bins", 4*eps, eps, worst, bins)
	if worst <= bound {
		t.Fatalf("the audit cannot detect a 4× ε violation (ratio %.3f ≤ %.3f)", worst, bound)
	}
}
