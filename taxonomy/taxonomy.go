package taxonomy

import (
	"embed"
	"fmt"
	"sync"
)

//go:embed data/needs.yaml data/territories.yaml data/padova_quartieri_consulte.csv data/istat_aree_utenza.csv data/geo/padova_province_municipalities.geojson data/maps/*.yaml data/district.example.yaml
var dataFS embed.FS

// Unclassified is the explicit code that unknown local codes are mapped to
// when the user chooses UnknownUnclassified.
const Unclassified = "unclassified"

// Need is one canonical category of need.
type Need struct {
	Code         string `yaml:"code" json:"code"`
	LabelIT      string `yaml:"label_it" json:"label_it"`
	LabelEN      string `yaml:"label_en" json:"label_en"`
	IstatArea    string `yaml:"istat_area" json:"istat_area"`
	Description  string `yaml:"description" json:"description"`
	Unclassified bool   `yaml:"unclassified,omitempty" json:"unclassified,omitempty"`
}

// IstatArea is one ISTAT area of users (SDMX code and Italian name).
type IstatArea struct {
	Code   string `json:"code"`
	NameIT string `json:"name_it"`
	Note   string `json:"note,omitempty"`
}

// Taxonomy is an immutable, versioned set of needs and territories. It is
// safe for concurrent use.
type Taxonomy struct {
	version    string
	needs      []Need
	byCode     map[string]int
	areas      []IstatArea
	territory  *Territories
	areaByCode map[string]IstatArea
}

type needsFile struct {
	Version string `yaml:"version"`
	Needs   []Need `yaml:"needs"`
}

var (
	defaultOnce sync.Once
	defaultTax  *Taxonomy
)

// Default returns the embedded taxonomy. It panics only if the embedded data
// is broken, which the package tests rule out.
func Default() *Taxonomy {
	defaultOnce.Do(func() {
		t, err := load()
		if err != nil {
			panic(fmt.Sprintf("taxonomy: embedded data: %v", err))
		}
		defaultTax = t
	})
	return defaultTax
}

func load() (*Taxonomy, error) {
	var nf needsFile
	if err := readEmbeddedYAML("data/needs.yaml", &nf); err != nil {
		return nil, err
	}
	areas, err := loadIstatAreas()
	if err != nil {
		return nil, err
	}
	t := &Taxonomy{version: nf.Version, needs: nf.Needs, byCode: map[string]int{}, areas: areas, areaByCode: map[string]IstatArea{}}
	for _, a := range areas {
		t.areaByCode[a.Code] = a
	}
	if err := t.validate(); err != nil {
		return nil, err
	}
	if t.territory, err = loadTerritories(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Taxonomy) validate() error {
	if t.version == "" {
		return fmt.Errorf("needs.yaml: missing version")
	}
	for i, n := range t.needs {
		if !validCanonical(n.Code) {
			return fmt.Errorf("needs.yaml: need %d: code %q is not lowercase letters and dashes", i+1, n.Code)
		}
		if _, dup := t.byCode[n.Code]; dup {
			return fmt.Errorf("needs.yaml: duplicate code %q", n.Code)
		}
		if n.LabelIT == "" || n.LabelEN == "" {
			return fmt.Errorf("needs.yaml: need %q lacks a label", n.Code)
		}
		if _, ok := t.areaByCode[n.IstatArea]; !ok {
			return fmt.Errorf("needs.yaml: need %q: unknown ISTAT area %q", n.Code, n.IstatArea)
		}
		t.byCode[n.Code] = i
	}
	if _, ok := t.byCode[Unclassified]; !ok {
		return fmt.Errorf("needs.yaml: the %q need is missing", Unclassified)
	}
	return nil
}

func validCanonical(code string) bool {
	if code == "" || code[0] == '-' || code[len(code)-1] == '-' {
		return false
	}
	for _, r := range code {
		if (r < 'a' || r > 'z') && r != '-' {
			return false
		}
	}
	return true
}

// Version is the taxonomy version (e.g. "2026.1"), written into every
// release so tables can be compared across releases.
func (t *Taxonomy) Version() string { return t.version }

// Need returns the canonical need with the given code.
func (t *Taxonomy) Need(code string) (Need, bool) {
	i, ok := t.byCode[code]
	if !ok {
		return Need{}, false
	}
	return t.needs[i], true
}

// IsCanonical reports whether code is a canonical need code (including
// Unclassified).
func (t *Taxonomy) IsCanonical(code string) bool {
	_, ok := t.byCode[code]
	return ok
}

// Needs returns all needs in their stable order; Unclassified is last.
func (t *Taxonomy) Needs() []Need { return append([]Need(nil), t.needs...) }

// NeedCodes returns the codes of Needs(), in the same order. With
// withUnclassified false the Unclassified code is left out.
func (t *Taxonomy) NeedCodes(withUnclassified bool) []string {
	out := make([]string, 0, len(t.needs))
	for _, n := range t.needs {
		if n.Unclassified && !withUnclassified {
			continue
		}
		out = append(out, n.Code)
	}
	return out
}

// IstatAreas returns the ISTAT areas of users (without the TOT aggregate).
func (t *Taxonomy) IstatAreas() []IstatArea { return append([]IstatArea(nil), t.areas...) }

// IstatArea returns the ISTAT area with the given SDMX code.
func (t *Taxonomy) IstatArea(code string) (IstatArea, bool) {
	a, ok := t.areaByCode[code]
	return a, ok
}

// Territories returns the territorial units.
func (t *Taxonomy) Territories() *Territories { return t.territory }
