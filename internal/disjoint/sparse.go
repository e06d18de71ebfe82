// Package disjoint holds disjoint sets (union-find) over keys that are
// few and scattered, where a slice indexed by key would not do.
package disjoint

// Sparse is a union-find over comparable keys, kept in a map: a key it has
// not seen is a set of its own. Callers choose the roots (SetParent), so a
// set can be named by its smallest member or any rule they keep. The zero
// value is ready to use.
type Sparse[K comparable] struct {
	parent map[K]K
}

// Find returns the root of k's set, and points every key on the way
// straight at it.
func (s *Sparse[K]) Find(k K) K {
	p, ok := s.parent[k]
	if !ok || p == k {
		return k
	}
	r := s.Find(p)
	s.parent[k] = r
	return r
}

// SetParent puts root a's set under b (a and b are roots; SetParent(a, a)
// leaves a a root).
func (s *Sparse[K]) SetParent(a, b K) {
	if s.parent == nil {
		s.parent = map[K]K{}
	}
	s.parent[a] = b
}
