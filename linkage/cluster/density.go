package cluster

// density counts the links between clusters, for the MinDensity guard.
type density struct {
	adj     [][]int32 // neighbours of each record over the accepted links
	members [][]int32 // members of each root's cluster
}

func newDensity(n int, es []gedge) *density {
	d := &density{adj: make([][]int32, n), members: make([][]int32, n)}
	for _, e := range es {
		d.adj[e.lo] = append(d.adj[e.lo], int32(e.hi))
		d.adj[e.hi] = append(d.adj[e.hi], int32(e.lo))
	}
	for i := range d.members {
		d.members[i] = []int32{int32(i)}
	}
	return d
}

// dense reports whether the links between the clusters of roots x and y
// cover at least min of their |x|·|y| record pairs. It walks the smaller
// cluster's adjacency, so the cost is its members' degrees.
func (d *density) dense(uf *unionFind, x, y int, min float64) bool {
	if len(d.members[x]) > len(d.members[y]) {
		x, y = y, x
	}
	links := 0
	for _, v := range d.members[x] {
		for _, w := range d.adj[v] {
			if uf.find(int(w)) == y {
				links++
			}
		}
	}
	return float64(links) >= min*float64(len(d.members[x])*len(d.members[y]))
}

// join records that absorbed's members now belong to root.
func (d *density) join(root, absorbed int) {
	d.members[root] = append(d.members[root], d.members[absorbed]...)
	d.members[absorbed] = nil
}
