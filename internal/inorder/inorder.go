// Package inorder hands the results of numbered pieces of work (0, 1, 2,
// …) on in the order of their numbers, whatever order the workers finish
// them in. Sums and outputs built through it do not depend on the number
// of workers or their scheduling: the same input gives the same bytes.
package inorder

// Queue re-sequences results: it holds those that arrive before their turn
// and gives each on when its turn comes. The zero value is ready to use.
// It is not safe for concurrent use: callers put results under their own
// lock (often the one that guards what emit writes to).
type Queue[T any] struct {
	next  int
	early map[int]T
}

// Put hands over the result of piece k (each piece once) and calls emit,
// in number order, on it and every waiting result after it whose turn has
// come. If emit returns false, Put stops there: the results after it stay
// waiting, and the one emit refused is not given again.
func (q *Queue[T]) Put(k int, v T, emit func(T) bool) {
	if q.early == nil {
		q.early = map[int]T{}
	}
	q.early[k] = v
	for {
		v, ok := q.early[q.next]
		if !ok {
			return
		}
		delete(q.early, q.next)
		q.next++
		if !emit(v) {
			return
		}
	}
}

// Waiting reports how many results arrived before their turn and wait.
func (q *Queue[T]) Waiting() int { return len(q.early) }
