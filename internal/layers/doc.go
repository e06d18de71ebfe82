// Package layers holds no code: its test enforces the import rules of the
// architecture (docs/RFCS/20261123_architecture.md), as depguard would.
package layers
