package linkage

import (
	"sync"

	"github.com/welfare-district/swd/internal/inorder"
)

// inOrder merges the results of numbered chunks of work (0, 1, 2, …) in
// the order of their numbers, whatever order the workers finish them in,
// holding only the results that arrive before their turn. Floating-point
// sums merged through it do not depend on the number of workers or on
// their scheduling, so the same files give the same report, byte for byte.
type inOrder[T any] struct {
	mu    sync.Mutex
	q     inorder.Queue[T]
	merge func(T)
}

// newInOrder returns an inOrder that calls merge on each result in turn.
func newInOrder[T any](merge func(T)) *inOrder[T] {
	return &inOrder[T]{merge: merge}
}

// done hands over the result of chunk k (each chunk once). merge is called,
// under a lock, on it and on every result after it that is waiting, when
// its turn has come.
func (o *inOrder[T]) done(k int, v T) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.q.Put(k, v, func(v T) bool { o.merge(v); return true })
}
