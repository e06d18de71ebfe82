package blocking

import "github.com/welfare-district/swd/internal/bitvec"

// MergePacked appends to dst the union of x and y and returns it. x is a
// pair list sorted by I, then J (the order Candidates returns), y a sorted
// list of pairs packed with Pair.Pack (packing keeps that order); neither
// holds a pair twice. The result is sorted the same way and holds every
// pair once. dst must not share memory with x.
//
// It is the one merge of sorted candidate lists: Candidates merges each
// pass's packed pairs into the running union with it, and package linkage
// adds the all-pairs Dice candidates to the blocking candidates with it.
func MergePacked(dst, x []Pair, y []uint64) []Pair {
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch p := x[i].Pack(); {
		case p < y[j]:
			dst = append(dst, x[i])
			i++
		case p > y[j]:
			dst = append(dst, bitvec.UnpackPair(y[j]))
			j++
		default:
			dst = append(dst, x[i])
			i++
			j++
		}
	}
	dst = append(dst, x[i:]...)
	for _, p := range y[j:] {
		dst = append(dst, bitvec.UnpackPair(p))
	}
	return dst
}
