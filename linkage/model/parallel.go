package model

import (
	"context"
	"fmt"
	"sync"
)

// parallelChunk is the number of pairs a worker takes at a time; ctx is
// checked once per chunk.
const parallelChunk = 8192

// forChunks runs fn over [0, n) in chunks on workers goroutines and returns
// the first error (or ctx's).
func forChunks(ctx context.Context, n, workers int, fn func(w, lo, hi int)) error {
	workers = max(1, min(workers, (n+parallelChunk-1)/parallelChunk))
	var (
		mu   sync.Mutex
		next int
		wg   sync.WaitGroup
	)
	take := func() (int, int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= n || ctx.Err() != nil {
			return 0, 0, false
		}
		lo := next
		next = min(n, next+parallelChunk)
		return lo, next, true
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo, hi, ok := take(); ok; lo, hi, ok = take() {
				fn(w, lo, hi)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// CountN counts the patterns of n candidate pairs, pair(k) giving the k-th,
// on workers goroutines. The counts are the same whatever workers is.
func (c *Comparer) CountN(ctx context.Context, n int, pair func(k int) (i, j int), workers int) (PatternCounts, error) {
	workers = max(1, workers)
	parts := make([]PatternCounts, workers)
	for w := range parts {
		parts[w] = PatternCounts{}
	}
	err := forChunks(ctx, n, workers, func(w, lo, hi int) {
		pc := parts[w]
		for k := lo; k < hi; k++ {
			pc[c.Key(pair(k))]++
		}
	})
	if err != nil {
		return nil, fmt.Errorf("model: counting patterns: %w", err)
	}
	total := parts[0]
	for _, p := range parts[1:] {
		total.Merge(p)
	}
	return total, nil
}

// ScoreN scores n candidate pairs on workers goroutines, calling put(k,
// key, weight, probability) once per pair; calls for different k may run
// concurrently, so put should write to index k of caller-owned slices.
// Results do not depend on workers.
func (s *Scorer) ScoreN(ctx context.Context, n int, pair func(k int) (i, j int), workers int, put func(k int, key uint64, weight, prob float64)) error {
	err := forChunks(ctx, n, workers, func(_, lo, hi int) {
		for k := lo; k < hi; k++ {
			key, w, p := s.Score(pair(k))
			put(k, key, w, p)
		}
	})
	if err != nil {
		return fmt.Errorf("model: scoring pairs: %w", err)
	}
	return nil
}
