package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfile starts the CPU profile asked for with --cpuprofile.
func (g *GlobalOptions) startProfile() error {
	if g.CPUProfile == "" {
		return nil
	}
	f, err := os.Create(g.CPUProfile)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	g.profile = f
	return nil
}

// stopProfile ends a profile started by startProfile.
func (g *GlobalOptions) stopProfile() {
	if g.profile == nil {
		return
	}
	pprof.StopCPUProfile()
	_ = g.profile.Close()
	g.profile = nil
}
