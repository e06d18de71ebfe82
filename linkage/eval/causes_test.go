package eval

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHouseholdCausesKnownAnswer(t *testing.T) {
	// Records a…f. True household 1 = {a, b (person 1), c (person 2)},
	// 2 = {d (person 3)}, 3 = {e (person 4)}, 4 = {f (person 5)}.
	// Linked: person 1 split over households 10 and 11; c alone in 12,
	// where one linked person also holds d; e and f are different
	// persons of household 13 (joined by a partner's household id).
	trueP := []int64{1, 1, 2, 3, 4, 5}
	trueH := []int64{1, 1, 1, 2, 3, 4}
	predP := []int64{100, 101, 102, 102, 103, 104}
	predH := []int64{10, 11, 12, 12, 13, 13}
	hc := householdCauses(predP, trueP, predH, trueH)
	// Missed in household 1: a–b (across the split person 1), a–c and b–c
	// (c shares no person with a or b).
	require.Equal(t, HouseholdCauses{SplitByPerson: 1, SplitNoPerson: 2, MergedByPerson: 1, MergedByHouseholdID: 1}, hc)

	t.Run("chain of split persons", func(t *testing.T) {
		// One true household of persons 1 and 2 in three parts: person 1
		// in parts 10 and 11, person 2 in 11 and 12: every part is joined.
		hc := householdCauses([]int64{7, 8, 8, 9}, []int64{1, 1, 2, 2}, []int64{10, 11, 11, 12}, []int64{1, 1, 1, 1})
		require.Equal(t, HouseholdCauses{SplitByPerson: 5}, hc)
	})
	t.Run("perfect", func(t *testing.T) {
		hc := householdCauses([]int64{1, 1, 2}, []int64{5, 5, 6}, []int64{3, 3, 3}, []int64{9, 9, 9})
		require.Equal(t, HouseholdCauses{}, hc)
	})
}

// TestHouseholdCausesAddUp: the causes split exactly the household false
// negatives and false positives of compare, whatever the labels.
func TestHouseholdCausesAddUp(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for range 200 {
		n := 1 + r.IntN(40)
		predP, trueP, predH, trueH := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		for i := range n {
			trueP[i] = int64(r.IntN(8))
			trueH[i] = trueP[i] / 3 // persons live in one household
			predP[i] = int64(r.IntN(8))
			predH[i] = predP[i] / 2
		}
		lv := compare(predH, trueH)
		hc := householdCauses(predP, trueP, predH, trueH)
		require.Equal(t, lv.Pairs.FalseNegatives, hc.SplitByPerson+hc.SplitNoPerson)
		require.Equal(t, lv.Pairs.FalsePositives, hc.MergedByPerson+hc.MergedByHouseholdID)
		require.GreaterOrEqual(t, min(hc.SplitByPerson, hc.SplitNoPerson, hc.MergedByPerson, hc.MergedByHouseholdID), int64(0))
	}
}
