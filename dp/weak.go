package dp

import (
	"fmt"
	"math"
)

// WeakEpsilon is the ε above which a release is allowed (the data
// controller decides) but says plainly that it protects little.
const WeakEpsilon = 10.0

// WeakProtection returns the warning a release of the given ε carries in
// its summary, release.json and report, or "" when ε ≤ WeakEpsilon.
func WeakProtection(epsilon float64) string {
	if !(epsilon > WeakEpsilon) {
		return ""
	}
	return fmt.Sprintf("ε = %g is above %g: the released numbers are close to the exact counts and protect the households little "+
		"(one household can change the probability of an outcome by a factor up to e^ε ≈ %.2g)", epsilon, WeakEpsilon, math.Exp(epsilon))
}
