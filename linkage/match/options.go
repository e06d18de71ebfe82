package match

import (
	"fmt"
	"math"
	"runtime"

	"github.com/welfare-district/swd/internal/base"
)

// Option configures a search.
type Option func(*options) error

type options struct {
	threshold float64
	topK      int
	workers   int
	chunk     int
	ordered   bool
}

func defaultOptions() options {
	return options{threshold: 0.8, workers: runtime.GOMAXPROCS(0), chunk: 64}
}

func buildOptions(opts []Option) (options, error) {
	o := defaultOptions()
	for _, f := range opts {
		if err := f(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// Threshold keeps only pairs whose Dice coefficient is at least t, in
// [0, 1] (default 0.8).
func Threshold(t float64) Option {
	return func(o *options) error {
		if math.IsNaN(t) || t < 0 || t > 1 {
			return base.Usagef("match: threshold %v outside [0, 1]", t)
		}
		o.threshold = t
		return nil
	}
}

// TopK keeps at most k matches per query, the best ones (ties broken by the
// lower candidate index); 0 (the default) keeps all.
func TopK(k int) Option {
	return func(o *options) error {
		if k < 0 {
			return base.Usagef("match: top-k %d is negative", k)
		}
		o.topK = k
		return nil
	}
}

// Workers sets the number of goroutines (default GOMAXPROCS).
func Workers(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return base.Usagef("match: workers %d, want at least 1", n)
		}
		o.workers = n
		return nil
	}
}

// ChunkSize sets how many queries a worker takes at a time (default 64):
// the unit of load balancing, cancellation checks and result delivery.
func ChunkSize(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return base.Usagef("match: chunk size %d, want at least 1", n)
		}
		o.chunk = n
		return nil
	}
}

// Ordered delivers results in query order, each chunk sorted by (I, J), so
// the output does not depend on the number of workers or on scheduling.
func Ordered(on bool) Option {
	return func(o *options) error { o.ordered = on; return nil }
}

func (o options) String() string {
	return fmt.Sprintf("threshold=%v topk=%d workers=%d chunk=%d ordered=%v",
		o.threshold, o.topK, o.workers, o.chunk, o.ordered)
}
