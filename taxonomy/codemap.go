package taxonomy

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/welfare-district/swd/internal/base"
)

// CodeMap translates one partner's local need codes into canonical codes.
// A local code may map to several canonical codes.
type CodeMap struct {
	Partner string              `yaml:"partner"`
	Version string              `yaml:"version"`
	Codes   map[string][]string `yaml:"codes"`
}

// Map returns the canonical codes for a local code. Canonical codes are
// always accepted as they are. Local codes are matched exactly, then in
// upper case. A nil map knows only canonical codes.
func (m *CodeMap) Map(local string) ([]string, bool) {
	if Default().IsCanonical(local) {
		return []string{local}, true
	}
	if m == nil {
		return nil, false
	}
	if c, ok := m.Codes[local]; ok {
		return c, true
	}
	c, ok := m.Codes[strings.ToUpper(local)]
	return c, ok
}

// Validate checks that the map names a partner and that every target is a
// canonical code of the default taxonomy.
func (m *CodeMap) Validate() error {
	if m.Partner == "" {
		return fmt.Errorf("code map: missing partner")
	}
	if len(m.Codes) == 0 {
		return fmt.Errorf("code map for %s: no codes", m.Partner)
	}
	locals := make([]string, 0, len(m.Codes))
	for l := range m.Codes {
		locals = append(locals, l)
	}
	sort.Strings(locals)
	for _, l := range locals {
		if strings.TrimSpace(l) == "" || strings.ContainsAny(l, "; ") {
			return fmt.Errorf("code map for %s: local code %q must be non-empty without spaces or ';'", m.Partner, l)
		}
		if len(m.Codes[l]) == 0 {
			return fmt.Errorf("code map for %s: local code %q maps to nothing", m.Partner, l)
		}
		for _, c := range m.Codes[l] {
			if !Default().IsCanonical(c) {
				return fmt.Errorf("code map for %s: local code %q maps to %q, which is not a canonical need", m.Partner, l, c)
			}
		}
	}
	return nil
}

// ParseCodeMap parses and validates a YAML code map.
func ParseCodeMap(data []byte) (*CodeMap, error) {
	var m CodeMap
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, base.Invalidf("code map: %s", base.RedactYAML(err.Error())) // the decoder quotes values
	}
	if err := m.Validate(); err != nil {
		return nil, base.Mark(err, base.ErrInvalidInput)
	}
	return &m, nil
}

// LoadCodeMap reads and validates a YAML code map file.
func LoadCodeMap(file string) (*CodeMap, error) {
	return base.LoadFile(file, "code map", os.ReadFile, ParseCodeMap)
}

var (
	defaultMapsOnce sync.Once
	defaultMaps     map[string]*CodeMap
)

// DefaultMaps returns fresh copies of the embedded code maps by partner
// (comune, ulss6, caritas, acli, cgil). Partners not listed use canonical
// codes directly.
func DefaultMaps() map[string]*CodeMap {
	defaultMapsOnce.Do(func() {
		defaultMaps = map[string]*CodeMap{}
		entries, err := dataFS.ReadDir("data/maps")
		if err != nil {
			panic(err)
		}
		for _, e := range entries {
			raw, err := dataFS.ReadFile(path.Join("data/maps", e.Name()))
			if err != nil {
				panic(err)
			}
			m, err := ParseCodeMap(raw)
			if err != nil {
				panic(fmt.Sprintf("taxonomy: embedded map %s: %v", e.Name(), err))
			}
			defaultMaps[m.Partner] = m
		}
	})
	out := make(map[string]*CodeMap, len(defaultMaps))
	for p, m := range defaultMaps {
		c := &CodeMap{Partner: m.Partner, Version: m.Version, Codes: make(map[string][]string, len(m.Codes))}
		for l, v := range m.Codes {
			c.Codes[l] = append([]string(nil), v...)
		}
		out[p] = c
	}
	return out
}

// MapFor returns the default map of a partner, or nil (canonical codes only)
// for a partner without one.
func MapFor(partner string) *CodeMap { return DefaultMaps()[partner] }
