package taxonomy

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/welfare-district/swd/internal/base"
)

// DistrictVersion is the district file format version this code reads.
const DistrictVersion = 1

// Partner roles in a district file.
const (
	RolePublicService = "public-service"
	RoleThirdSector   = "third-sector"
)

// Territory units of a district file.
const (
	UnitsQuartieri      = "quartieri"      // the city's quartieri in the embedded territories (Padova: 1…6)
	UnitsMunicipalities = "municipalities" // comuni, by ISTAT code
)

// District is what the linkage unit knows about its welfare district, kept
// in a YAML file (district.yaml) rather than guessed from partner names:
// the district's name and territory, every partner with its role (public
// service or third sector), its code map and its identity's public key, and
// the version of the need taxonomy the district uses. LoadDistrict reads
// and validates it; `swd district init` writes a commented example
// (ExampleDistrict).
type District struct {
	Version   int               `yaml:"version"`
	Name      string            `yaml:"name"`
	Territory DistrictTerritory `yaml:"territory"`
	// Taxonomy is the version of the need taxonomy the partners' code maps
	// translate into; it must be the embedded one (Default().Version()).
	Taxonomy string            `yaml:"taxonomy"`
	Partners []DistrictPartner `yaml:"partners"`

	dir string // directory of the file: relative paths are resolved in it
}

// DistrictTerritory says which territorial units the released tables are
// broken down by.
type DistrictTerritory struct {
	Name string `yaml:"name"`
	// Units is UnitsQuartieri or UnitsMunicipalities.
	Units string `yaml:"units"`
	// Municipalities are the ISTAT codes of the comuni of a district made
	// of several (Units: municipalities).
	Municipalities []string `yaml:"municipalities,omitempty"`
}

// DistrictPartner is one partner of the district.
type DistrictPartner struct {
	// Name is the partner name as it appears in the encoded files
	// (swd encode --partner).
	Name string `yaml:"name"`
	// Label is the partner's full name, for people.
	Label string `yaml:"label,omitempty"`
	// Role is RolePublicService or RoleThirdSector.
	Role string `yaml:"role"`
	// CodeMap is the partner's code map file (path relative to the
	// district file); empty: the embedded map of that partner name, if
	// any, or canonical codes only.
	CodeMap string `yaml:"code_map,omitempty"`
	// PublicKey is the partner's identity public key (PREFIX.pub from swd
	// keys new, path relative to the district file): sealed files must be
	// signed by it. Empty: the partner does not seal its files.
	PublicKey string `yaml:"public_key,omitempty"`
}

var partnerNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// LoadDistrict reads and validates a district file. Errors are marked
// base.ErrInvalidInput (a file that does not exist: base.ErrUsage) and
// name the file.
func LoadDistrict(path string) (*District, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, base.Mark(fmt.Errorf("reading the district file: %w", err), base.ErrUsage)
	}
	if err != nil {
		return nil, base.Invalidf("reading the district file: %w", err)
	}
	d, err := ParseDistrict(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	d.dir = filepath.Dir(path)
	return d, nil
}

// ParseDistrict decodes and validates a district file; relative paths in
// it are relative to the current directory until LoadDistrict sets the
// file's own.
func ParseDistrict(data []byte) (*District, error) {
	var d District
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		return nil, base.Invalidf("district file: %v", err)
	}
	if err := d.Validate(); err != nil {
		return nil, base.Mark(err, base.ErrInvalidInput)
	}
	return &d, nil
}

// Validate checks the file and returns the first problem.
func (d *District) Validate() error {
	e := func(format string, args ...any) error { return fmt.Errorf("district file: "+format, args...) }
	switch {
	case d.Version != DistrictVersion:
		return e("version %d is not supported (this swd reads version %d)", d.Version, DistrictVersion)
	case strings.TrimSpace(d.Name) == "":
		return e("name is missing")
	case d.Taxonomy == "":
		return e("taxonomy (the version of the need taxonomy, %q here) is missing", Default().Version())
	case d.Taxonomy != Default().Version():
		return e("taxonomy %q is not the version this swd embeds (%q): update the code maps and the file, or use the matching swd", d.Taxonomy, Default().Version())
	case len(d.Partners) == 0:
		return e("no partners")
	}
	if err := d.Territory.validate(); err != nil {
		return e("territory: %v", err)
	}
	seen := map[string]bool{}
	for _, p := range d.Partners {
		switch {
		case !partnerNameRE.MatchString(p.Name):
			return e("partner %q: a partner name is letters, digits, '.', '_' or '-' (at most 64)", p.Name)
		case seen[p.Name]:
			return e("partner %q is listed twice", p.Name)
		case p.Role == "":
			return e("partner %q has no role (%s or %s)", p.Name, RolePublicService, RoleThirdSector)
		case p.Role != RolePublicService && p.Role != RoleThirdSector:
			return e("partner %q: role %q is neither %s nor %s", p.Name, p.Role, RolePublicService, RoleThirdSector)
		}
		seen[p.Name] = true
	}
	return nil
}

func (t DistrictTerritory) validate() error {
	switch t.Units {
	case UnitsQuartieri:
		if len(t.Municipalities) > 0 {
			return errors.New("municipalities are listed, but units is quartieri")
		}
	case UnitsMunicipalities:
		if len(t.Municipalities) == 0 {
			return errors.New("units is municipalities, but no ISTAT code is listed")
		}
		for _, c := range t.Municipalities {
			if _, ok := Default().Territories().Municipality(c); !ok {
				return fmt.Errorf("%q is not the ISTAT code of a municipality swd knows", c)
			}
		}
	case "":
		return fmt.Errorf("units is missing (%s or %s)", UnitsQuartieri, UnitsMunicipalities)
	default:
		return fmt.Errorf("units %q is neither %s nor %s", t.Units, UnitsQuartieri, UnitsMunicipalities)
	}
	return nil
}

// Districts are the keys of the territorial units the tables are broken
// down by: the quartieri ("1"…"6") or the municipalities' ISTAT codes.
func (d *District) Districts() []string {
	if d.Territory.Units == UnitsMunicipalities {
		return append([]string(nil), d.Territory.Municipalities...)
	}
	return Default().Territories().QuartiereKeys()
}

// Partner returns the partner called name.
func (d *District) Partner(name string) (DistrictPartner, bool) {
	i := slices.IndexFunc(d.Partners, func(p DistrictPartner) bool { return p.Name == name })
	if i < 0 {
		return DistrictPartner{}, false
	}
	return d.Partners[i], true
}

// PublicServices lists the partners whose role is public-service.
func (d *District) PublicServices() PublicServices {
	var p PublicServices
	for _, x := range d.Partners {
		if x.Role == RolePublicService {
			p.Partners = append(p.Partners, x.Name)
		}
	}
	slices.Sort(p.Partners)
	return p
}

// PartnerNames lists the partners, in file order.
func (d *District) PartnerNames() []string {
	names := make([]string, len(d.Partners))
	for i, p := range d.Partners {
		names[i] = p.Name
	}
	return names
}

// CheckPartners refuses partners the file does not name: a partner whose
// role is unknown would be counted as third sector and distort the
// "missing middle".
func (d *District) CheckPartners(partners []string) error {
	var unknown []string
	for _, p := range partners {
		if _, ok := d.Partner(p); !ok {
			unknown = append(unknown, p)
		}
	}
	if len(unknown) > 0 {
		return base.Invalidf("the district file %q does not name partner(s) %s: add each with its role (%s or %s), or leave its files out",
			d.Name, strings.Join(unknown, ", "), RolePublicService, RoleThirdSector)
	}
	return nil
}

// Path resolves a path written in the file against the file's directory.
func (d *District) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(d.dir, p)
}

// CodeMaps loads the code maps the file names, by partner. A map must be
// the named partner's. Partners without one are not in the result (they use
// the embedded map of their name, or canonical codes only).
func (d *District) CodeMaps() (map[string]*CodeMap, error) {
	maps := map[string]*CodeMap{}
	for _, p := range d.Partners {
		if p.CodeMap == "" {
			continue
		}
		m, err := LoadCodeMap(d.Path(p.CodeMap))
		if err != nil {
			return nil, base.Mark(fmt.Errorf("district file, partner %s: %w", p.Name, err), base.ErrInvalidInput)
		}
		if m.Partner != p.Name {
			return nil, base.Invalidf("district file, partner %s: code map %s is the map of partner %q", p.Name, p.CodeMap, m.Partner)
		}
		maps[p.Name] = m
	}
	return maps, nil
}

// ExampleDistrict is a commented district file for Padova's Social Welfare
// District with the partners of the demo (what `swd district init` writes).
func ExampleDistrict() []byte {
	b, err := dataFS.ReadFile("data/district.example.yaml")
	if err != nil {
		panic(err)
	}
	return b
}
