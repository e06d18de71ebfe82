package keyserver

import (
	"math"
	"sync"
	"time"
)

// limiter is a token bucket per partner, counted in evaluations.
type limiter struct {
	rate  float64 // tokens per second; <= 0 means unlimited
	burst float64

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// take removes n tokens from partner's bucket. When there are not enough,
// nothing is removed and the wait until there will be is returned.
func (l *limiter) take(partner string, n int, now time.Time) (bool, time.Duration) {
	if l.rate <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[partner]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[partner] = b
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = math.Min(l.burst, b.tokens+dt*l.rate)
		b.last = now
	}
	need := float64(n)
	if b.tokens >= need {
		b.tokens -= need
		return true, 0
	}
	wait := (need - b.tokens) / l.rate
	return false, time.Duration(wait * float64(time.Second))
}
