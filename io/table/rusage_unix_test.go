//go:build unix

package table

import (
	"syscall"
	"time"
)

// cpuTime is the user+system CPU time of the process, so benchmarks can
// report a rate that does not depend on how loaded the shared machine is.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
