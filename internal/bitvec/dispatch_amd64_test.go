//go:build amd64 && !purego

package bitvec

import "testing"

// dispatchStates lists every kernel path this machine can run; each entry
// sets the dispatch variables and returns a function restoring them.
func dispatchStates(t testing.TB) []dispatchState {
	all := []dispatchState{
		{"avx2", useAVX2, func() { useAVX2, usePOPCNT = true, true }},
		{"popcnt", usePOPCNT, func() { useAVX2, usePOPCNT = false, true }},
		{"generic", true, func() { useAVX2, usePOPCNT = false, false }},
	}
	var out []dispatchState
	for _, s := range all {
		if !s.available {
			t.Logf("kernel %s not available on this CPU", s.name)
			continue
		}
		out = append(out, s)
	}
	return out
}

func withDispatch(s dispatchState, f func()) {
	a, p := useAVX2, usePOPCNT
	defer func() { useAVX2, usePOPCNT = a, p }()
	s.set()
	f()
}
