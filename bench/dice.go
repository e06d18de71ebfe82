package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/internal/rusage"
	"github.com/welfare-district/swd/linkage/match"
)

// DiceConfig describes one kernel measurement: n × m random filters of Bits
// bits (each bit set with probability 1/2), matched at Threshold.
type DiceConfig struct {
	N, M      int
	Bits      int
	Threshold float64
	Workers   int
	Seed      uint64
	Repeats   int  // runs of each slice per contender; the fastest counts
	Slices    int  // the queries are timed in this many slices (default 1)
	C         bool // also time the C loops (single core)
	OneWorker bool // with Workers > 1, also time one worker (scaling)
}

// DiceResult is what bench/dice prints. Rates are pairs per second, best of
// the repeats; ratios are Go over C on the same data in the same run.
type DiceResult struct {
	Bits                  int     `json:"bits"`
	N                     int     `json:"n"`
	M                     int     `json:"m"`
	Workers               int     `json:"workers"`
	Threshold             float64 `json:"threshold"`
	Kernel                string  `json:"kernel"`
	Matches               int64   `json:"matches"`
	Seconds               float64 `json:"seconds"`
	IndexSeconds          float64 `json:"index_seconds"`
	PairsPerSec           float64 `json:"pairs_per_sec"`
	CReferencePairsPerSec float64 `json:"c_reference_pairs_per_sec,omitempty"`
	Ratio                 float64 `json:"ratio,omitempty"`
	CAVX2PairsPerSec      float64 `json:"c_avx2_pairs_per_sec,omitempty"`
	RatioAVX2             float64 `json:"ratio_avx2,omitempty"`
	OneWorkerPairsPerSec  float64 `json:"one_worker_pairs_per_sec,omitempty"`
	Scaling               float64 `json:"scaling,omitempty"`
	// CPUScaling is the rate per CPU second with Workers over the rate per
	// CPU second with one worker: 1 means no parallel overhead, so on
	// Workers idle cores the wall-clock scaling would be about Workers×it.
	OneWorkerPerCPUSec  float64 `json:"one_worker_pairs_per_cpu_sec,omitempty"`
	CPUScaling          float64 `json:"cpu_scaling,omitempty"`
	CPUSeconds          float64 `json:"cpu_seconds"`
	PairsPerCPUSec      float64 `json:"pairs_per_cpu_sec"`
	CReferencePerCPUSec float64 `json:"c_reference_pairs_per_cpu_sec,omitempty"`
	RatioCPU            float64 `json:"ratio_cpu,omitempty"`
	InputBytes          int64   `json:"input_bytes"`
	MaxRSSBytes         int64   `json:"max_rss_bytes"`
	Repeats             int     `json:"repeats"`
	Slices              int     `json:"slices"`
	GoVersion           string  `json:"go_version"`
}

// Validate reports a usage error for an impossible configuration.
func (c DiceConfig) Validate() error {
	switch {
	case c.N < 1 || c.M < 1:
		return base.Usagef("bench: -n and -m must be at least 1")
	case c.Bits < 64 || c.Bits > 4096 || c.Bits%64 != 0:
		return base.Usagef("bench: -bits %d, want a multiple of 64 in [64, 4096]", c.Bits)
	case c.Threshold < 0 || c.Threshold > 1:
		return base.Usagef("bench: -threshold %v outside [0, 1]", c.Threshold)
	case c.Workers < 1:
		return base.Usagef("bench: -workers must be at least 1")
	case c.Repeats < 1:
		return base.Usagef("bench: -repeats must be at least 1")
	}
	return nil
}

// RandomArena returns n filters of bits bits with every bit set with
// probability 1/2, from a PCG seeded with seed.
func RandomArena(n, bits int, seed uint64) bitvec.Arena {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	a := bitvec.NewArena(n, bits)
	for i := range a.Data {
		a.Data[i] = r.Uint64()
	}
	return a
}

// RunDice generates the data once and times the Go matcher and the C loops
// on it. The queries are cut into slices; each slice is run by every
// contender in turn, cfg.Repeats times, and each contender keeps its fastest
// time per slice. On a shared machine this discards the slices in which a
// contender was preempted, so the rates (and the ratio) approach what an
// idle core gives, and Go and C are treated the same way.
func RunDice(ctx context.Context, cfg DiceConfig) (DiceResult, error) {
	if err := cfg.Validate(); err != nil {
		return DiceResult{}, err
	}
	a := RandomArena(cfg.N, cfg.Bits, cfg.Seed)
	b := RandomArena(cfg.M, cfg.Bits, cfg.Seed+1)
	res := DiceResult{
		Bits: cfg.Bits, N: cfg.N, M: cfg.M, Workers: cfg.Workers, Threshold: cfg.Threshold,
		Kernel: bitvec.Kernel(), Repeats: cfg.Repeats, Slices: max(1, min(cfg.Slices, cfg.N)), GoVersion: runtime.Version(),
		InputBytes: int64(len(a.Data)+len(b.Data)) * 8,
	}
	start := time.Now()
	ix := match.NewIndex(b)
	res.IndexSeconds = time.Since(start).Seconds()

	goRun := func(workers int) contender {
		return func(lo, hi int) (int64, error) {
			sub := bitvec.Arena{Words: a.Words, Data: a.Data[lo*a.Words : hi*a.Words]}
			return searchCount(ctx, sub, ix, cfg.Threshold, workers)
		}
	}
	cs := []contender{goRun(cfg.Workers)}
	oneWorker := cfg.Workers > 1 && cfg.OneWorker
	if oneWorker {
		cs = append(cs, goRun(1))
	}
	cScalar, cAVX2 := -1, -1
	if cfg.C {
		in := newCInputs(a, b, cfg.Threshold)
		cScalar = len(cs)
		cs = append(cs, in.contender(false))
		if cHasAVX2() && a.Words%4 == 0 {
			cAVX2 = len(cs)
			cs = append(cs, in.contender(true))
		}
	}
	times, err := timeSlices(cs, cfg.N, res.Slices, cfg.Repeats)
	if err != nil {
		return res, err
	}
	pairs := float64(cfg.N) * float64(cfg.M)
	res.Matches = times[0].matches
	res.Seconds, res.CPUSeconds = times[0].wall, times[0].cpu
	res.PairsPerSec, res.PairsPerCPUSec = pairs/times[0].wall, pairs/times[0].cpu
	if oneWorker {
		res.OneWorkerPairsPerSec, res.OneWorkerPerCPUSec = pairs/times[1].wall, pairs/times[1].cpu
		res.Scaling = res.PairsPerSec / res.OneWorkerPairsPerSec
		res.CPUScaling = res.PairsPerCPUSec / res.OneWorkerPerCPUSec
	}
	if cScalar >= 0 {
		t := times[cScalar]
		res.CReferencePairsPerSec, res.CReferencePerCPUSec = pairs/t.wall, pairs/t.cpu
		res.Ratio = res.PairsPerSec / res.CReferencePairsPerSec
		res.RatioCPU = res.PairsPerCPUSec / res.CReferencePerCPUSec
	}
	if cAVX2 >= 0 {
		res.CAVX2PairsPerSec = pairs / times[cAVX2].wall
		res.RatioAVX2 = res.PairsPerSec / res.CAVX2PairsPerSec
	}
	for k, t := range times {
		if t.matches != res.Matches {
			return res, fmt.Errorf("bench: contender %d found %d matches, the Go matcher %d", k, t.matches, res.Matches)
		}
	}
	res.MaxRSSBytes = rusage.MaxRSS()
	return res, nil
}

// contender runs queries [lo, hi) against all candidates and returns the
// number of matches.
type contender func(lo, hi int) (int64, error)

// sliceTimes is a contender's total over the slices of its fastest wall
// and CPU time per slice.
type sliceTimes struct {
	wall, cpu float64
	matches   int64
}

// timeSlices times the contenders on queries [0, n) cut into slices
// (between 1 and n).
func timeSlices(cs []contender, n, slices, repeats int) ([]sliceTimes, error) {
	out := make([]sliceTimes, len(cs))
	for s := range slices {
		lo, hi := s*n/slices, (s+1)*n/slices
		best := make([]sliceTimes, len(cs))
		for r := range repeats {
			for k, c := range cs {
				start, cpu0 := time.Now(), rusage.CPU().Seconds()
				m, err := c(lo, hi)
				if err != nil {
					return nil, err
				}
				wall, cpu := time.Since(start).Seconds(), rusage.CPU().Seconds()-cpu0
				if r == 0 || wall < best[k].wall {
					best[k].wall = wall
				}
				if r == 0 || cpu < best[k].cpu {
					best[k].cpu = cpu
				}
				best[k].matches = m
			}
		}
		for k := range cs {
			out[k].wall += best[k].wall
			out[k].cpu += max(best[k].cpu, 1e-9)
			out[k].matches += best[k].matches
		}
	}
	return out, nil
}

func searchCount(ctx context.Context, a bitvec.Arena, ix *match.Index, t float64, workers int) (int64, error) {
	var matches int64
	_, err := match.Search(ctx, a, ix, func(m []match.Match) error {
		matches += int64(len(m))
		return nil
	}, match.Threshold(t), match.Workers(workers))
	return matches, err
}

// cInputs is the data as the C loops take it: the filters, their popcounts
// and the table of the least |a∧b| reaching the threshold per |a|+|b|.
type cInputs struct {
	a, b         bitvec.Arena
	pa, pb, need []uint32
}

func newCInputs(a, b bitvec.Arena, t float64) cInputs {
	return cInputs{a: a, b: b, pa: bitvec.Counts(nil, a), pb: bitvec.Counts(nil, b),
		need: match.NeedTable(64*a.Words, t)}
}

func (c cInputs) contender(avx2 bool) contender {
	w := c.a.Words
	return func(lo, hi int) (int64, error) {
		return cMatch(avx2, c.a.Data[lo*w:hi*w], c.b.Data, w, c.pa[lo:hi], c.pb, c.need), nil
	}
}

// WriteTable prints the result for people.
func (r DiceResult) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Dice %d×%d, %d bits, threshold %v, %d worker(s), kernel %s, fastest of %d per slice, %d slices\n",
		r.N, r.M, r.Bits, r.Threshold, r.Workers, r.Kernel, r.Repeats, r.Slices)
	fmt.Fprintf(&b, "  Go matcher        %8.1f M pairs/s  (%.3f s, %d matches; %.1f M pairs per CPU s)\n",
		r.PairsPerSec/1e6, r.Seconds, r.Matches, r.PairsPerCPUSec/1e6)
	if r.CReferencePairsPerSec > 0 {
		fmt.Fprintf(&b, "  C scalar loop     %8.1f M pairs/s  ratio %.2f  (per CPU s: %.1f M, ratio %.2f)\n",
			r.CReferencePairsPerSec/1e6, r.Ratio, r.CReferencePerCPUSec/1e6, r.RatioCPU)
	}
	if r.CAVX2PairsPerSec > 0 {
		fmt.Fprintf(&b, "  C AVX2 loop       %8.1f M pairs/s  ratio %.2f\n", r.CAVX2PairsPerSec/1e6, r.RatioAVX2)
	}
	if r.OneWorkerPairsPerSec > 0 {
		fmt.Fprintf(&b, "  Go one worker     %8.1f M pairs/s  scaling %.2f  (per CPU s: %.1f M, ratio %.2f)\n",
			r.OneWorkerPairsPerSec/1e6, r.Scaling, r.OneWorkerPerCPUSec/1e6, r.CPUScaling)
	}
	fmt.Fprintf(&b, "  index build %.3f s, input %.1f MiB, max RSS %.1f MiB\n",
		r.IndexSeconds, float64(r.InputBytes)/(1<<20), float64(r.MaxRSSBytes)/(1<<20))
	_, err := io.WriteString(w, b.String())
	return err
}
