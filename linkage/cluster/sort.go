package cluster

import (
	"cmp"
	"slices"
)

// sortLinks orders links by cluster, then partner, then record id.
func sortLinks(ls []Link) {
	slices.SortFunc(ls, func(x, y Link) int {
		return cmp.Or(cmp.Compare(x.ClusterID, y.ClusterID), x.Key().Compare(y.Key()))
	})
}
