package match_test

import (
	"context"
	"fmt"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/match"
)

func Example() {
	// Three 128-bit filters on each side; a[0] and b[2] share most bits.
	a, b := bitvec.NewArena(0, 128), bitvec.NewArena(0, 128)
	a.Append([]uint64{0xffff_0000_ffff, 0x00ff})
	a.Append([]uint64{0x0f0f, 0xf0f0_0000})
	b.Append([]uint64{0xffff_ffff_0000_0000, 0})
	b.Append([]uint64{0x1, 0x2})
	b.Append([]uint64{0xffff_0000_fff0, 0x00ff})

	ix := match.NewIndex(b)
	_, err := match.Search(context.Background(), a, ix, func(ms []match.Match) error {
		for _, m := range ms {
			fmt.Printf("a[%d] ~ b[%d]  Dice %.3f\n", m.I, m.J, m.Score)
		}
		return nil
	}, match.Threshold(0.8), match.Ordered(true))
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// a[0] ~ b[2]  Dice 0.947
}
