// Package linkage is swd's link pipeline: it checks that the encoded files of
// the partners were encoded alike, generates candidate pairs by blocking
// (linkage/blocking), fits a Fellegi–Sunter model by EM on agreement-pattern
// counts (linkage/model), scores the candidates, and builds one-to-one links,
// multi-party person clusters and households (linkage/cluster), with a
// report on the quality of the linkage.
//
// The subpackages are usable on their own: encoding (keyed Bloom filters),
// schema, normalize, match (the Dice candidate search), blocking, model,
// cluster, eval and synth (synthetic partner exports).
package linkage
