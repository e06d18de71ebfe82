//go:build race

package dp

// The race detector slows the noise sampling about tenfold; the statistical
// tests then use fewer releases (and correspondingly wider tolerances).
const raceEnabled = true
