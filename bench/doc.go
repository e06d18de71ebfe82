// Package bench holds swd's performance measurements that need more than
// `go test -bench`: the Dice kernel against C reference loops built with cgo
// (cgo is confined to this package). Each measurement is an XConfig plus a
// RunX(ctx, cfg) function; the commands under bench/ only bind flags.
package bench
