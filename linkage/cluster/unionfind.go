package cluster

// unionFind is a disjoint-set forest with path halving and union by size.
type unionFind struct {
	parent []int32
	size   []int32
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n), size: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
		u.size[i] = 1
	}
	return u
}

func (u *unionFind) find(x int) int {
	for int(u.parent[x]) != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = int(u.parent[x])
	}
	return x
}

// union joins the sets of x and y and returns the new root and the root
// that was absorbed (equal when they were already joined).
func (u *unionFind) union(x, y int) (root, absorbed int) {
	x, y = u.find(x), u.find(y)
	if x == y {
		return x, y
	}
	if u.size[x] < u.size[y] || (u.size[x] == u.size[y] && y < x) {
		x, y = y, x
	}
	u.parent[y] = int32(x)
	u.size[x] += u.size[y]
	return x, y
}
