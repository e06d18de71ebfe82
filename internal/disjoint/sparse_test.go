package disjoint

import "testing"

// Sets joined under chosen roots: Find gives the root for every member,
// unseen keys are their own sets, and paths are compressed.
func TestSparse(t *testing.T) {
	var s Sparse[string]
	if got := s.Find("x"); got != "x" {
		t.Fatalf("unseen key: Find = %q", got)
	}
	s.SetParent("b", "a")
	s.SetParent("c", "b") // a chain c → b → a
	s.SetParent("a", "a")
	s.SetParent("e", "d")
	for k, want := range map[string]string{"a": "a", "b": "a", "c": "a", "d": "d", "e": "d", "f": "f"} {
		if got := s.Find(k); got != want {
			t.Errorf("Find(%q) = %q, want %q", k, got, want)
		}
	}
	if s.parent["c"] != "a" {
		t.Errorf("path not compressed: c → %q", s.parent["c"])
	}
	s.SetParent(s.Find("e"), s.Find("c")) // join {d, e} under a
	if got := s.Find("e"); got != "a" {
		t.Errorf("after the join Find(e) = %q, want a", got)
	}
}
