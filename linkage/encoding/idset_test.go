package encoding

import (
	"fmt"
	"testing"
)

func BenchmarkIDKey(b *testing.B) {
	ids := make([]string, 200000)
	for i := range ids {
		ids[i] = fmt.Sprintf("CAR-%07d", i)
	}
	s := newIDSet()
	keys := make([]idKey, len(ids))
	b.ResetTimer()
	for b.Loop() {
		for i, id := range ids {
			keys[i] = s.seeds.key(id)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ids)), "ns/id")
}

func BenchmarkIDAdd(b *testing.B) {
	ids := make([]string, 200000)
	for i := range ids {
		ids[i] = fmt.Sprintf("CAR-%07d", i)
	}
	s0 := newIDSet()
	keys := make([]idKey, len(ids))
	for i, id := range ids {
		keys[i] = s0.seeds.key(id)
	}
	b.ResetTimer()
	for b.Loop() {
		s := newIDSet()
		for i, k := range keys {
			s.add(k, i)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ids)), "ns/id")
}

// BenchmarkIDAddGoMap is the same with a Go map, the first design: about
// three times slower (its growth copies and cache misses).
func BenchmarkIDAddGoMap(b *testing.B) {
	ids := make([]string, 200000)
	for i := range ids {
		ids[i] = fmt.Sprintf("CAR-%07d", i)
	}
	s0 := newIDSet()
	keys := make([]idKey, len(ids))
	for i, id := range ids {
		keys[i] = s0.seeds.key(id)
	}
	b.ResetTimer()
	for b.Loop() {
		m := map[idKey]int{}
		for i, k := range keys {
			if _, ok := m[k]; !ok {
				m[k] = i
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ids)), "ns/id")
}

// TestIDSet: across growths, every id is new once and a duplicate after,
// with the row of its first occurrence.
func TestIDSet(t *testing.T) {
	s := newIDSet()
	const n = 100_000
	for i := range n {
		if _, dup := s.add(s.seeds.key(fmt.Sprint("id-", i)), i+1); dup {
			t.Fatalf("id %d reported as a duplicate", i)
		}
	}
	for i := 0; i < n; i += 997 {
		first, dup := s.add(s.seeds.key(fmt.Sprint("id-", i)), n+i)
		if !dup || first != i+1 {
			t.Fatalf("id %d: duplicate %v of row %d", i, dup, first)
		}
	}
	if s.n != n || len(s.slots) < 2*n {
		t.Fatalf("%d ids in %d slots", s.n, len(s.slots))
	}
}

func TestDuplicateID(t *testing.T) {
	ids := make([]string, 50000)
	for i := range ids {
		ids[i] = fmt.Sprintf("CAR-%07d", i)
	}
	if _, _, ok := DuplicateID(ids); ok {
		t.Fatal("a duplicate among distinct ids")
	}
	if _, _, ok := DuplicateID(nil); ok {
		t.Fatal("a duplicate among no ids")
	}
	ids[41234] = ids[777]
	ids[45000] = ids[3]
	if f, r, ok := DuplicateID(ids); !ok || f != 777 || r != 41234 {
		t.Fatalf("got %d %d %v, want 777 41234", f, r, ok)
	}
}
