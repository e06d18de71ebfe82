package blocking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/welfare-district/swd/linkage/encoding"
)

// manyFixture is three datasets of unequal sizes and their six jobs, with
// an LSH pass of many bands and one of few.
func manyFixture() ([]*encoding.Dataset, []Job, Config) {
	a, b, _ := clkPairs(3, 600, 1024, 0.3, 0.03)
	c, _, _ := clkPairs(4, 300, 1024, 0.3, 0.03)
	cfg := Config{Passes: []Pass{LSH{Bands: 24, BitsPerBand: 12, Seed: 9}, LSH{Bands: 5, BitsPerBand: 16, Seed: 2}}}
	return []*encoding.Dataset{a, b, c}, []Job{{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}}, cfg
}

// blockLog is every job's blocks, as strings, in the order yield got them.
func blockLog(t *testing.T, ds []*encoding.Dataset, jobs []Job, cfg Config) ([][]string, []Stats) {
	t.Helper()
	log := make([][]string, len(jobs))
	var mu sync.Mutex // yield may run on several goroutines, never twice for one job
	busy := make([]bool, len(jobs))
	st, err := BlocksMany(context.Background(), ds, jobs, cfg, func(k int, blk Block) error {
		mu.Lock()
		if busy[k] {
			mu.Unlock()
			return fmt.Errorf("yield called concurrently for job %d", k)
		}
		busy[k] = true
		mu.Unlock()
		log[k] = append(log[k], fmt.Sprintf("%s/%d/%x %v %v", blk.Pass, blk.Band, blk.Key, blk.A, blk.B))
		mu.Lock()
		busy[k] = false
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return log, st
}

// TestBlocksManyWorkers checks that BlocksMany on several goroutines gives
// every job the same blocks in the same order, and the same stats, as on
// one (more workers than datasets or jobs included).
func TestBlocksManyWorkers(t *testing.T) {
	ds, jobs, cfg := manyFixture()
	want, wst := blockLog(t, ds, jobs, cfg)
	for _, w := range []int{2, 3, 8} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			cfg := cfg
			cfg.Workers = w
			got, gst := blockLog(t, ds, jobs, cfg)
			for k := range jobs {
				if !slices.Equal(got[k], want[k]) {
					t.Fatalf("job %v: %d blocks on %d workers, %d on one (or another order)", jobs[k], len(got[k]), w, len(want[k]))
				}
				if !slices.EqualFunc(gst[k].Passes, wst[k].Passes, func(x, y PassStats) bool { return x == y }) {
					t.Fatalf("job %v: stats %+v on %d workers, %+v on one", jobs[k], gst[k], w, wst[k])
				}
			}
		})
	}
}

// TestCandidatesCompactManyWorkers checks that the compact unions do not
// depend on the workers.
func TestCandidatesCompactManyWorkers(t *testing.T) {
	ds, jobs, cfg := manyFixture()
	want, _, err := CandidatesCompactMany(context.Background(), ds, jobs, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 2
	got, _, err := CandidatesCompactMany(context.Background(), ds, jobs, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k := range jobs {
		if !slices.Equal(got[k].data, want[k].data) || !slices.Equal(got[k].starts, want[k].starts) {
			t.Fatalf("job %v: %d candidates on 2 workers, %d on one", jobs[k], got[k].Len(), want[k].Len())
		}
	}
}

// TestBlocksManyWorkersError checks that when yield fails for several jobs
// of a band, the lowest job's error is returned, as with one worker.
func TestBlocksManyWorkersError(t *testing.T) {
	ds, jobs, cfg := manyFixture()
	for _, w := range []int{1, 2, 4} {
		cfg.Workers = w
		_, err := BlocksMany(context.Background(), ds, jobs, cfg, func(k int, blk Block) error {
			if k >= 2 && blk.Band == 3 {
				return fmt.Errorf("job %d", k)
			}
			return nil
		})
		if err == nil || err.Error() != "job 2" {
			t.Fatalf("%d workers: error %v, want job 2", w, err)
		}
	}
	cfg.Workers = 2
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := BlocksMany(ctx, ds, jobs, cfg, func(int, Block) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestEach(t *testing.T) {
	for _, w := range []int{0, 1, 2, 5} {
		for _, n := range []int{0, 1, 2, 7} {
			order := make([]int, n)
			for i := range order {
				order[i] = n - 1 - i
			}
			seen := make([]int, n)
			var mu sync.Mutex
			each(w, order, func(g, x int) {
				if g < 0 || g >= max(w, 1) {
					t.Errorf("worker %d of %d", g, w)
				}
				mu.Lock()
				seen[x]++
				mu.Unlock()
			})
			for x, c := range seen {
				if c != 1 {
					t.Fatalf("workers %d, n %d: item %d run %d times", w, n, x, c)
				}
			}
		}
	}
}
