// Package rusage reads the process's own resource usage, for benchmarks
// that must report rates per CPU second (steadier than per wall second on a
// shared machine) and peak memory.
package rusage
