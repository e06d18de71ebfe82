package linkage

import (
	"context"
	"slices"
	"testing"
)

// inOrder merges chunks in their order whatever the workers' order: here
// chunks finish in reverse, in pairs and in a random schedule.
func TestInOrder(t *testing.T) {
	const n = 200
	for name, order := range map[string][]int{
		"ascending": func() []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i
			}
			return s
		}(),
		"descending": func() []int {
			s := make([]int, n)
			for i := range s {
				s[i] = n - 1 - i
			}
			return s
		}(),
		"swapped pairs": func() []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i ^ 1
			}
			return s
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			var got []int
			o := newInOrder(func(k int) { got = append(got, k) })
			for _, k := range order {
				o.done(k, k)
			}
			if len(got) != n || !slices.IsSorted(got) || o.q.Waiting() != 0 {
				t.Fatalf("merged %v, %d waiting", got, o.q.Waiting())
			}
		})
	}
	t.Run("workers", func(t *testing.T) {
		var got []int
		o := newInOrder(func(k int) { got = append(got, k) })
		if err := parallel(context.Background(), n, 1, 7, func(_, lo, _ int) error {
			o.done(lo, lo)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != n || !slices.IsSorted(got) {
			t.Fatalf("merged %v", got)
		}
	})
}
