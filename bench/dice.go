package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"syscall"
	"time"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
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
	Repeats   int  // best of Repeats runs, Go and C interleaved
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
// on it, interleaved, keeping the best of cfg.Repeats runs of each.
func RunDice(ctx context.Context, cfg DiceConfig) (DiceResult, error) {
	if err := cfg.Validate(); err != nil {
		return DiceResult{}, err
	}
	a := RandomArena(cfg.N, cfg.Bits, cfg.Seed)
	b := RandomArena(cfg.M, cfg.Bits, cfg.Seed+1)
	res := DiceResult{
		Bits: cfg.Bits, N: cfg.N, M: cfg.M, Workers: cfg.Workers, Threshold: cfg.Threshold,
		Kernel: bitvec.Kernel(), Repeats: cfg.Repeats, GoVersion: runtime.Version(),
		InputBytes: int64(len(a.Data)+len(b.Data)) * 8,
	}
	start := time.Now()
	ix := match.NewIndex(b)
	res.IndexSeconds = time.Since(start).Seconds()
	pairs := float64(cfg.N) * float64(cfg.M)

	var cIn cInputs
	if cfg.C {
		cIn = newCInputs(a, b, cfg.Threshold)
	}
	for range cfg.Repeats {
		cpu0 := cpuSeconds()
		secs, matches, err := timeGo(ctx, a, ix, cfg.Threshold, cfg.Workers)
		if err != nil {
			return res, err
		}
		if res.Seconds == 0 || secs < res.Seconds {
			res.Seconds = secs
		}
		if cpu := cpuSeconds() - cpu0; res.CPUSeconds == 0 || cpu < res.CPUSeconds {
			res.CPUSeconds = cpu
		}
		res.Matches = matches
		if cfg.Workers > 1 && cfg.OneWorker {
			cpu1 := cpuSeconds()
			secs1, _, err := timeGo(ctx, a, ix, cfg.Threshold, 1)
			if err != nil {
				return res, err
			}
			res.OneWorkerPairsPerSec = max(res.OneWorkerPairsPerSec, pairs/secs1)
			res.OneWorkerPerCPUSec = max(res.OneWorkerPerCPUSec, pairs/(cpuSeconds()-cpu1))
		}
		if cfg.C {
			if err := cIn.run(&res, pairs); err != nil {
				return res, err
			}
		}
	}
	res.PairsPerSec = pairs / res.Seconds
	res.PairsPerCPUSec = pairs / res.CPUSeconds
	if res.CReferencePerCPUSec > 0 {
		res.RatioCPU = res.PairsPerCPUSec / res.CReferencePerCPUSec
	}
	if res.CReferencePairsPerSec > 0 {
		res.Ratio = res.PairsPerSec / res.CReferencePairsPerSec
	}
	if res.CAVX2PairsPerSec > 0 {
		res.RatioAVX2 = res.PairsPerSec / res.CAVX2PairsPerSec
	}
	if res.OneWorkerPairsPerSec > 0 {
		res.Scaling = res.PairsPerSec / res.OneWorkerPairsPerSec
		res.CPUScaling = res.PairsPerCPUSec / res.OneWorkerPerCPUSec
	}
	res.MaxRSSBytes = maxRSS()
	return res, nil
}

func timeGo(ctx context.Context, a bitvec.Arena, ix *match.Index, t float64, workers int) (float64, int64, error) {
	var matches int64
	start := time.Now()
	_, err := match.Search(ctx, a, ix, func(m []match.Match) error {
		matches += int64(len(m))
		return nil
	}, match.Threshold(t), match.Workers(workers))
	return time.Since(start).Seconds(), matches, err
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

func (c *cInputs) run(res *DiceResult, pairs float64) error {
	start, cpu0 := time.Now(), cpuSeconds()
	got := cMatch(false, c.a.Data, c.b.Data, c.a.Words, c.pa, c.pb, c.need)
	res.CReferencePairsPerSec = max(res.CReferencePairsPerSec, pairs/time.Since(start).Seconds())
	res.CReferencePerCPUSec = max(res.CReferencePerCPUSec, pairs/(cpuSeconds()-cpu0))
	if got != res.Matches {
		return fmt.Errorf("bench: C reference found %d matches, Go %d", got, res.Matches)
	}
	if !cHasAVX2() || c.a.Words%4 != 0 {
		return nil
	}
	start = time.Now()
	got = cMatch(true, c.a.Data, c.b.Data, c.a.Words, c.pa, c.pb, c.need)
	res.CAVX2PairsPerSec = max(res.CAVX2PairsPerSec, pairs/time.Since(start).Seconds())
	if got != res.Matches {
		return fmt.Errorf("bench: C AVX2 loop found %d matches, Go %d", got, res.Matches)
	}
	return nil
}

// cpuSeconds is the user+system CPU time of the process so far: on a
// shared machine, rates per CPU second are steadier than per wall second.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func maxRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss * 1024 // kilobytes on Linux
}

// WriteTable prints the result for people.
func (r DiceResult) WriteTable(w io.Writer) error {
	_, err := fmt.Fprintf(w, `Dice %d×%d, %d bits, threshold %v, %d worker(s), kernel %s, best of %d
  Go matcher        %8.1f M pairs/s  (%.3f s, %d matches; %.1f M pairs per CPU s)
  C scalar loop     %8.1f M pairs/s  ratio %.2f  (per CPU s: %.1f M, ratio %.2f)
  C AVX2 loop       %8.1f M pairs/s  ratio %.2f
  Go one worker     %8.1f M pairs/s  scaling %.2f  (per CPU s: %.1f M, ratio %.2f)
  index build %.3f s, input %.1f MiB, max RSS %.1f MiB
`, r.N, r.M, r.Bits, r.Threshold, r.Workers, r.Kernel, r.Repeats,
		r.PairsPerSec/1e6, r.Seconds, r.Matches, r.PairsPerCPUSec/1e6,
		r.CReferencePairsPerSec/1e6, r.Ratio, r.CReferencePerCPUSec/1e6, r.RatioCPU, r.CAVX2PairsPerSec/1e6, r.RatioAVX2,
		r.OneWorkerPairsPerSec/1e6, r.Scaling, r.OneWorkerPerCPUSec/1e6, r.CPUScaling,
		r.IndexSeconds, float64(r.InputBytes)/(1<<20), float64(r.MaxRSSBytes)/(1<<20))
	return err
}
