// Package encoding turns normalised identifiers into keyed Bloom-filter
// encodings (per-field filters and a record-level CLK) and defines the
// in-memory form of an encoded file (Dataset) that the linker works on.
package encoding
