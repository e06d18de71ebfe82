package rusage

import (
	"runtime"
	"testing"
)

func TestCPUAdvances(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no rusage")
	}
	before := CPU()
	x := 0
	for i := 0; i < 50_000_000; i++ {
		x += i ^ (x >> 3)
	}
	if x == 42 {
		t.Log(x)
	}
	if CPU() <= before {
		t.Fatalf("CPU time did not advance: %v → %v", before, CPU())
	}
	if MaxRSS() <= 0 {
		t.Fatal("no peak RSS")
	}
}
