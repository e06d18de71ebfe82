package rusage

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// TotalMemory is the memory this process may use, in bytes: the machine's
// (MemTotal of /proc/meminfo) or, when smaller, the limit of its cgroup
// (v2 memory.max). 0 when neither can be read (not Linux).
func TotalMemory() int64 {
	total := memInfoTotal("/proc/meminfo")
	if lim := cgroupLimit("/sys/fs/cgroup/memory.max"); lim > 0 && (total == 0 || lim < total) {
		total = lim
	}
	return total
}

// memInfoTotal reads MemTotal (kB) from a meminfo file.
func memInfoTotal(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// cgroupLimit reads a cgroup v2 memory.max ("max" = no limit: 0).
func cgroupLimit(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0
	}
	return v
}
