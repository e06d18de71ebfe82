package blocking

import "github.com/welfare-district/swd/linkage/encoding"

// SubPasses is the number of sub-passes of p: one per LSH band, one for a
// Key pass.
func SubPasses(p Pass) int {
	if l, ok := p.(LSH); ok {
		return l.Bands
	}
	return 1
}

// Keys returns the blocking keys of the records of d under p, one slice per
// sub-pass (LSH band): keys[s][i] is record i's key in sub-pass s, valid
// only where valid[s] is nil or valid[s][i]. Two records share a block of a
// sub-pass exactly when both keys are valid and equal, which is how Blocks
// groups them. It lets a caller that partitions records itself (swd-beam,
// which groups them by key on Beam workers) compute the same blocks a few
// records at a time: a record's keys do not depend on the other records.
func Keys(p Pass, d *encoding.Dataset) (keys [][]uint64, valid [][]bool, err error) {
	sub, err := p.keys(d)
	if err != nil {
		return nil, nil, err
	}
	keys, valid = make([][]uint64, len(sub)), make([][]bool, len(sub))
	for s, k := range sub {
		keys[s], valid[s] = k.keys, k.valid
	}
	return keys, valid, nil
}
