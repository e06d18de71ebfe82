package main

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// memoryShare is the share of physical memory swd-beam sets as the Go
// runtime's soft memory limit on Prism when GOMEMLIMIT is not set.
const memoryShare = 0.6

// prismGCPercent is the collector's target on Prism when GOGC is not set
// (swd link's linkGCPercent): the heap may grow by a quarter of what is
// live between collections, not by all of it.
const prismGCPercent = 25

// limitMemory sets, for a pipeline run in this process (Prism), a soft
// memory limit of memoryShare of physical memory, unless GOMEMLIMIT sets
// one, and the collector's target to prismGCPercent, unless GOGC sets
// one. Prism holds every element between stages in this process, and with
// Go's default collector pacing the heap grows to twice what is live before
// a collection: at a million records ~11 GB live would ask for ~22 GB. The
// limit makes the collector run more often near it instead (it is soft: a
// run that needs more still gets it). It returns the limit set, 0 if none.
func limitMemory(runner string) int64 {
	if runner != "prism" && runner != "" {
		return 0
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(prismGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	total := physicalMemory()
	if total <= 0 {
		return 0
	}
	limit := int64(float64(total) * memoryShare)
	debug.SetMemoryLimit(limit)
	return limit
}

// physicalMemory is MemTotal of /proc/meminfo in bytes, 0 where there is
// none (not Linux).
func physicalMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}
