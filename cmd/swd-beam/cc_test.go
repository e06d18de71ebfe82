package main

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/welfare-district/swd/cmd/swd-beam/internal/beamlink"
)

func init() {
	register.Function1x2(pairKV)
	register.Function2x1(formatLabel)
}

type pair struct{ U, V uint64 }

func pairKV(p pair) (uint64, uint64) { return p.U, p.V }

func formatLabel(u, l uint64) string { return fmt.Sprintf("%d:%d", u, l) }

// TestComponents checks large-star/small-star against a union-find on
// graphs with long paths (the slowest case: rounds grow with the log of
// the diameter), stars, cycles and isolated pairs, with shuffled labels.
func TestComponents(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	perm := rng.Perm(2000)
	label := func(i int) uint64 { return uint64(perm[i]) * 7 }
	var edges []pair
	add := func(a, b int) { edges = append(edges, pair{label(a), label(b)}) }
	for i := 0; i < 299; i++ { // a path of 300 nodes
		add(i, i+1)
	}
	for i := 301; i < 400; i++ { // a star around 300
		add(300, i)
	}
	for i := 400; i < 500; i++ { // a cycle
		add(i, 400+(i-399)%100)
	}
	for i := 500; i < 1500; i += 2 { // pairs, some repeated and reversed
		add(i, i+1)
		if i%6 == 0 {
			add(i+1, i)
		}
	}
	parent := map[uint64]uint64{}
	var find func(uint64) uint64
	find = func(x uint64) uint64 {
		if parent[x] == x {
			return x
		}
		parent[x] = find(parent[x])
		return parent[x]
	}
	for _, e := range edges {
		for _, v := range []uint64{e.U, e.V} {
			if _, ok := parent[v]; !ok {
				parent[v] = v
			}
		}
		a, b := find(e.U), find(e.V)
		parent[max(a, b)] = min(a, b) // the root is the smallest node
	}
	var want []any
	for v := range parent {
		want = append(want, formatLabel(v, find(v)))
	}
	p, s := beam.NewPipelineWithRoot()
	in := beam.CreateList(s, edges)
	labels := beamlink.UnpackLabels(s, beamlink.Components(s, beamlink.PackEdges(s, beam.ParDo(s, pairKV, in)), 12, 7))
	passert.Equals(s, beam.ParDo(s, formatLabel, labels), want...)
	ptest.RunAndValidate(t, p)
}
