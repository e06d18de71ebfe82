package incremental

import (
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/encoding"
)

// passIndex is one dataset's blocking keys under one pass: per sub-pass
// (LSH band), every record's key and the records sorted by key, so that
// the block of any key is found by binary search. Update builds it once
// per dataset and pass, where a blocking run per job would sort every
// dataset's keys again for every job it is in.
type passIndex struct {
	keys  [][]uint64 // keys[s][i]: record i's key in sub-pass s
	valid [][]bool   // nil or valid[s][i]
	bands []band
}

// band is one sub-pass's records sorted by (key, row).
type band struct {
	keys []uint64
	rows []uint32
}

func newPassIndex(p blocking.Pass, d *encoding.Dataset) (*passIndex, error) {
	keys, valid, err := blocking.Keys(p, d)
	if err != nil {
		return nil, err
	}
	ix := &passIndex{keys: keys, valid: valid, bands: make([]band, len(keys))}
	for s, ks := range keys {
		rows := make([]uint32, 0, len(ks))
		for i := range ks {
			if valid[s] == nil || valid[s][i] {
				rows = append(rows, uint32(i))
			}
		}
		slices.SortFunc(rows, func(a, b uint32) int {
			if ks[a] != ks[b] {
				if ks[a] < ks[b] {
					return -1
				}
				return 1
			}
			return int(int64(a) - int64(b))
		})
		b := band{keys: make([]uint64, len(rows)), rows: rows}
		for k, r := range rows {
			b.keys[k] = ks[r]
		}
		ix.bands[s] = b
	}
	return ix, nil
}

// key returns record i's key in sub-pass s, and whether it has one.
func (ix *passIndex) key(s, i int) (uint64, bool) {
	if ix.valid[s] != nil && !ix.valid[s][i] {
		return 0, false
	}
	return ix.keys[s][i], true
}

// block returns the records whose key in sub-pass s is key.
func (ix *passIndex) block(s int, key uint64) []uint32 {
	b := &ix.bands[s]
	lo := sort.Search(len(b.keys), func(k int) bool { return b.keys[k] >= key })
	hi := lo
	for hi < len(b.keys) && b.keys[hi] == key {
		hi++
	}
	return b.rows[lo:hi]
}

// maxBlockPairs is cfg's cap on the pairs of a block, as blocking applies
// it (0: the default; negative: none).
func maxBlockPairs(cfg blocking.Config) int64 {
	switch {
	case cfg.MaxBlockPairs == 0:
		return blocking.DefaultMaxBlockPairs
	case cfg.MaxBlockPairs < 0:
		return math.MaxInt64
	}
	return cfg.MaxBlockPairs
}

// blockPairs finds the blocking candidates of the fresh rows of dataset x
// in dataset y (x == y: de-duplication): for each pass and sub-pass, each
// fresh row meets the records sharing its key, unless the block, counted
// on the whole datasets, has more pairs than the cap (as blocking skips
// it in a full run). emit gets (row of x, row of y).
func (u *updater) blockPairs(x, y int, rows []int, bc blocking.Config, emit func(i, j int)) error {
	limit := maxBlockPairs(bc)
	for p, pass := range bc.Passes {
		ix, err := u.passIndex(x, p, pass)
		if err != nil {
			return err
		}
		iy, err := u.passIndex(y, p, pass)
		if err != nil {
			return err
		}
		for s := range ix.bands {
			for _, r := range rows {
				key, ok := ix.key(s, r)
				if !ok {
					continue
				}
				gy := iy.block(s, key)
				n := int64(len(gy))
				if x == y {
					n = n * (n - 1) / 2
				} else {
					n *= int64(len(ix.block(s, key)))
				}
				if n == 0 || n > limit {
					continue
				}
				for _, j := range gy {
					emit(r, int(j))
				}
			}
		}
	}
	return nil
}

// buildIndexes builds, on the workers, the pass indexes of every dataset
// in a job with fresh records that blockPairs will ask for: the sort of
// every dataset's keys is most of the serial work of a month's search.
func (u *updater) buildIndexes(jobs []linkage.Job) error {
	type want struct {
		key  [2]int
		pass blocking.Pass
	}
	var todo []want
	seen := map[[2]int]bool{}
	add := func(d, p int, pass blocking.Pass) {
		k := [2]int{d, p}
		if _, ok := u.indexes[k]; ok || seen[k] {
			return
		}
		seen[k] = true
		todo = append(todo, want{k, pass})
	}
	for _, j := range jobs {
		fa, fb := u.fresh[j.A], u.fresh[j.B]
		if len(fa) == 0 && len(fb) == 0 || len(fa) == u.ds[j.A].Len() && len(fb) == u.ds[j.B].Len() {
			continue // nothing to search, or searched as Link does
		}
		bc := u.blocking(j)
		for p, pass := range bc.Passes {
			add(j.A, p, pass)
			add(j.B, p, pass)
		}
	}
	built := make([]*passIndex, len(todo))
	errs := make([]error, len(todo))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(u.cfg.Workers, len(todo))) {
		wg.Go(func() {
			for k := range next {
				built[k], errs[k] = newPassIndex(todo[k].pass, u.ds[todo[k].key[0]])
			}
		})
	}
	for k := range todo {
		next <- k
	}
	close(next)
	wg.Wait()
	if u.indexes == nil {
		u.indexes = map[[2]int]*passIndex{}
	}
	for k, w := range todo {
		if errs[k] != nil {
			return errs[k]
		}
		u.indexes[w.key] = built[k]
	}
	return nil
}

// passIndex returns the index of dataset d under pass p, building it once.
func (u *updater) passIndex(d, p int, pass blocking.Pass) (*passIndex, error) {
	k := [2]int{d, p}
	if ix, ok := u.indexes[k]; ok {
		return ix, nil
	}
	ix, err := newPassIndex(pass, u.ds[d])
	if err != nil {
		return nil, err
	}
	if u.indexes == nil {
		u.indexes = map[[2]int]*passIndex{}
	}
	u.indexes[k] = ix
	return ix, nil
}
