package rusage

import (
	"os"
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

func TestMemoryFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if got := memInfoTotal(write("meminfo", "MemFree: 5 kB\nMemTotal:       24576000 kB\n")); got != 24576000<<10 {
		t.Errorf("MemTotal: %d", got)
	}
	if got := memInfoTotal(dir + "/absent"); got != 0 {
		t.Errorf("absent meminfo: %d", got)
	}
	if got := cgroupLimit(write("max", "max\n")); got != 0 {
		t.Errorf("memory.max max: %d", got)
	}
	if got := cgroupLimit(write("lim", "1073741824\n")); got != 1<<30 {
		t.Errorf("memory.max: %d", got)
	}
	if runtime.GOOS == "linux" && TotalMemory() <= 0 {
		t.Error("no total memory on Linux")
	}
}
