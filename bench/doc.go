// Package bench holds swd's performance measurements that need more than
// `go test -bench`: the Dice kernel against C reference loops built with cgo
// (cgo is confined to this package), and measurements of linkage quality
// that need ground truth beyond swd eval's (the co-residence join rules).
// Each measurement is an XConfig plus a RunX(ctx, cfg) function; the
// commands under bench/ only bind flags.
package bench
