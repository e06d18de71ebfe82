// Package taxonomy is swd's common language of needs and places.
//
// It holds a versioned canonical classification of needs (stable lowercase
// codes such as "famiglia-minori" or "casa", Italian and English labels, the
// ISTAT area of users each need is counted under), the territorial units of
// a district (Padova's 6 quartieri and 10 consulte, the municipalities of the
// province by ISTAT code, with a GeoJSON layer and a tile-map layout for
// reports), and partner code maps: how each partner's local need codes
// translate into canonical codes.
//
// Everything is embedded with go:embed, so the defaults work offline; extra
// code maps are loaded from YAML files with LoadCodeMap. Canonical codes are
// always accepted as they are in any partner's data. Local codes that no map
// knows are counted in UnknownStats and either fail the run or are mapped to
// the explicit Unclassified code, as the user chooses (UnknownPolicy).
package taxonomy
