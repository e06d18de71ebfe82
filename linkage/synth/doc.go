// Package synth generates realistic, reproducible exports of the partners
// of a welfare district, for demos, tests and benchmarks (`swd synth`).
//
// It models households of Padova's six quartieri (members, ages, names,
// birthplaces, fiscal codes, addresses, phones), the needs of each
// household in canonical codes, which partners know which households and
// members (with the needs written in each partner's own local codes), and
// the errors and variations real registers contain, at a chosen corruption
// level. Everything flows household by household from one seeded
// generator, so output is byte-identical for a seed and memory stays flat
// however many households are generated.
//
// Every person is fictitious; names and places come from the embedded
// lists described in data/README.md.
package synth
