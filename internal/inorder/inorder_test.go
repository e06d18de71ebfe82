package inorder

import (
	"slices"
	"testing"
)

// Put gives results on in number order whatever order they arrive in.
func TestQueueOrder(t *testing.T) {
	const n = 100
	for _, tc := range []struct {
		name  string
		order func(i int) int
	}{
		{"ascending", func(i int) int { return i }},
		{"descending", func(i int) int { return n - 1 - i }},
		{"swapped pairs", func(i int) int { return i ^ 1 }},
		{"stride 7", func(i int) int { return (i * 7) % n }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var q Queue[int]
			var got []int
			for i := range n {
				k := tc.order(i)
				q.Put(k, k*10, func(v int) bool { got = append(got, v/10); return true })
			}
			if len(got) != n || !slices.IsSorted(got) || q.Waiting() != 0 {
				t.Fatalf("gave %v, %d waiting", got, q.Waiting())
			}
		})
	}
}

// When emit refuses a result, Put stops: the later ones wait, and the
// refused one is not given again.
func TestQueueStop(t *testing.T) {
	var q Queue[int]
	var got []int
	emit := func(v int) bool { got = append(got, v); return v != 1 }
	q.Put(2, 2, emit)
	q.Put(1, 1, emit)
	if len(got) != 0 || q.Waiting() != 2 {
		t.Fatalf("gave %v before 0, %d waiting", got, q.Waiting())
	}
	q.Put(0, 0, emit)
	if !slices.Equal(got, []int{0, 1}) || q.Waiting() != 1 {
		t.Fatalf("gave %v, %d waiting; want [0 1], 1 waiting", got, q.Waiting())
	}
	q.Put(3, 3, emit)
	if !slices.Equal(got, []int{0, 1, 2, 3}) || q.Waiting() != 0 {
		t.Fatalf("gave %v, %d waiting; want [0 1 2 3], 0 waiting", got, q.Waiting())
	}
}
