package synth

import (
	"context"
	"sync"
)

// batchSize is how many consecutive households a worker generates at a
// time.
const batchSize = 256

type batch struct {
	first int64 // index of the first household
	hs    []*Household
	rows  [][]Row
	done  chan struct{}
}

// stream generates households 1…n and hands them, numbered, in order, to
// yield. With workers > 1 the households are generated in parallel (each
// depends only on the seed and its index) and numbered in order, so the
// output is the same for any number of workers. At most about 2·workers
// batches are in memory.
func (g *Generator) stream(ctx context.Context, n, workers int, yield func(*Household, []Row) error) error {
	if workers <= 1 {
		for i := 0; i < n; i++ {
			if i%batchSize == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := yield(g.Next()); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *batch, workers)
	ordered := make(chan *batch, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			src := newSource()
			for b := range jobs {
				for k := range b.hs {
					b.hs[k], b.rows[k] = g.m.household(src, b.first+int64(k))
				}
				close(b.done)
			}
		})
	}
	start, end := g.next+1, g.next+int64(n)
	go func() {
		defer close(ordered)
		defer close(jobs)
		for first := start; first <= end; first += batchSize {
			size := min(int64(batchSize), end-first+1)
			b := &batch{first: first, hs: make([]*Household, size), rows: make([][]Row, size), done: make(chan struct{})}
			select {
			case ordered <- b:
			case <-ctx.Done():
				return
			}
			jobs <- b // workers drain jobs until it is closed
		}
	}()
	err := g.consume(ctx, ordered, yield)
	cancel()
	for range ordered { // let the producer finish
	}
	wg.Wait()
	return err
}

func (g *Generator) consume(ctx context.Context, ordered <-chan *batch, yield func(*Household, []Row) error) error {
	for b := range ordered {
		select {
		case <-b.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		for k, h := range b.hs {
			g.next++
			g.number(h, b.rows[k])
			if err := yield(h, b.rows[k]); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
