//go:build !amd64 || purego

package bitvec

import "testing"

func dispatchStates(testing.TB) []dispatchState {
	return []dispatchState{{"purego", true, func() {}}}
}

func withDispatch(s dispatchState, f func()) { s.set(); f() }
