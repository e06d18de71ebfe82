package blocking

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/welfare-district/swd/linkage/encoding"
)

// each calls f(w, x) for every x of order on workers goroutines (w, in
// [0, workers), tells f which goroutine runs it, for per-goroutine
// buffers), taking the items in order, and returns when all are done.
// With one worker it runs them in order on the caller's goroutine.
func each(workers int, order []int, f func(w, x int)) {
	if workers <= 1 || len(order) <= 1 {
		for _, x := range order {
			f(0, x)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range min(workers, len(order)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(order) {
					return
				}
				f(w, order[i])
			}
		})
	}
	wg.Wait()
}

// largestFirst orders the used datasets and the jobs by decreasing work
// (records; records of both sides), so that each, taking the next item as
// it finishes one, leaves the small items to the end and the goroutines
// finish together. Ties keep the index order: the order is deterministic,
// though nothing depends on it but the balance.
func largestFirst(ds []*encoding.Dataset, used []bool, jobs []Job) (dsOrder, jobOrder []int) {
	size := func(d int) int { return ds[d].Len() }
	for d := range ds {
		if used[d] {
			dsOrder = append(dsOrder, d)
		}
	}
	slices.SortStableFunc(dsOrder, func(x, y int) int { return cmp.Compare(size(y), size(x)) })
	jobOrder = make([]int, len(jobs))
	for k := range jobOrder {
		jobOrder[k] = k
	}
	work := func(k int) int {
		if jobs[k].A == jobs[k].B {
			return size(jobs[k].A)
		}
		return size(jobs[k].A) + size(jobs[k].B)
	}
	slices.SortStableFunc(jobOrder, func(x, y int) int { return cmp.Compare(work(y), work(x)) })
	return dsOrder, jobOrder
}
