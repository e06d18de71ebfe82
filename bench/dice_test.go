package bench

import (
	"context"
	"errors"
	"testing"

	"github.com/welfare-district/swd/internal/base"
)

// TestRunDiceAgrees runs a small measurement at a threshold where about
// half the random pairs match, so the Go matcher and both C loops must
// agree on a large match count (RunDice fails if they do not).
func TestRunDiceAgrees(t *testing.T) {
	for _, bits := range []int{64, 1024, 1088} {
		res, err := RunDice(context.Background(), DiceConfig{
			N: 60, M: 300, Bits: bits, Threshold: 0.5, Workers: 2, Seed: 3, Repeats: 1, C: true, OneWorker: true,
		})
		if err != nil {
			t.Fatalf("bits=%d: %v", bits, err)
		}
		if res.Matches < 1000 || res.PairsPerSec <= 0 || res.CReferencePairsPerSec <= 0 || res.Ratio <= 0 {
			t.Fatalf("bits=%d: implausible result %+v", bits, res)
		}
	}
}

func TestDiceConfigValidate(t *testing.T) {
	good := DiceConfig{N: 1, M: 1, Bits: 1024, Threshold: 0.8, Workers: 1, Repeats: 1}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, mut := range []func(*DiceConfig){
		func(c *DiceConfig) { c.N = 0 },
		func(c *DiceConfig) { c.Bits = 100 },
		func(c *DiceConfig) { c.Bits = 8192 },
		func(c *DiceConfig) { c.Threshold = 2 },
		func(c *DiceConfig) { c.Workers = 0 },
		func(c *DiceConfig) { c.Repeats = 0 },
	} {
		c := good
		mut(&c)
		if err := c.Validate(); !errors.Is(err, base.ErrUsage) {
			t.Errorf("%+v accepted: %v", c, err)
		}
	}
}
