package taxonomy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// Quartiere is one of Padova's six districts. Row and Col place it on the
// tile map drawn by reports (row 0 is north, column 0 is west).
type Quartiere struct {
	Code     int      `yaml:"code" json:"code"`
	Name     string   `yaml:"name" json:"name"`
	Row      int      `yaml:"row" json:"row"`
	Col      int      `yaml:"col" json:"col"`
	Consulte []string `yaml:"-" json:"consulte"`
}

// DistrictUnknown is the district key of the released row that counts the
// households without a district, or with one outside the territory, so
// that the district rows add up to the total.
const DistrictUnknown = "unknown"

// Key is the quartiere's code as it appears in partner data ("1"…"6").
func (q Quartiere) Key() string { return strconv.Itoa(q.Code) }

// Consulta is one of Padova's ten neighbourhood councils.
type Consulta struct {
	Code      string `json:"code"`
	Quartiere int    `json:"quartiere"`
	Zones     string `json:"zones"`
}

// Municipality is a comune identified by its ISTAT code.
type Municipality struct {
	IstatCode   string `json:"istat_code"`
	CatastoCode string `json:"catasto_code"`
	Name        string `json:"name"`
}

// Territories are the territorial units known to the taxonomy.
type Territories struct {
	CityIstatCode  string
	CityName       string
	quartieri      []Quartiere
	consulte       []Consulta
	municipalities []Municipality
	muniByCode     map[string]int
	geo            []byte
}

type territoriesFile struct {
	CityIstatCode string      `yaml:"city_istat_code"`
	CityName      string      `yaml:"city_name"`
	Quartieri     []Quartiere `yaml:"quartieri"`
}

func loadTerritories() (*Territories, error) {
	var tf territoriesFile
	if err := readEmbeddedYAML("data/territories.yaml", &tf); err != nil {
		return nil, err
	}
	t := &Territories{CityIstatCode: tf.CityIstatCode, CityName: tf.CityName, quartieri: tf.Quartieri, muniByCode: map[string]int{}}
	if err := t.loadConsulte(); err != nil {
		return nil, err
	}
	var err error
	if t.geo, err = dataFS.ReadFile("data/geo/padova_province_municipalities.geojson"); err != nil {
		return nil, err
	}
	if err := t.loadMunicipalities(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Territories) loadConsulte() error {
	rows, err := readEmbeddedCSV("data/padova_quartieri_consulte.csv", 4)
	if err != nil {
		return err
	}
	byCode := map[int]int{}
	for i, q := range t.quartieri {
		byCode[q.Code] = i
	}
	for _, r := range rows {
		qn, err := strconv.Atoi(r[0])
		if err != nil {
			return fmt.Errorf("padova_quartieri_consulte.csv: quartiere %q: %w", r[0], err)
		}
		i, ok := byCode[qn]
		if !ok || t.quartieri[i].Name != r[1] {
			return fmt.Errorf("padova_quartieri_consulte.csv: quartiere %d %q disagrees with territories.yaml", qn, r[1])
		}
		t.quartieri[i].Consulte = append(t.quartieri[i].Consulte, r[2])
		t.consulte = append(t.consulte, Consulta{Code: r[2], Quartiere: qn, Zones: r[3]})
	}
	return nil
}

func (t *Territories) loadMunicipalities() error {
	var fc struct {
		Features []struct {
			Properties struct {
				Name        string `json:"name"`
				IstatCode   string `json:"com_istat_code"`
				CatastoCode string `json:"com_catasto_code"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(t.geo, &fc); err != nil {
		return fmt.Errorf("municipalities geojson: %w", err)
	}
	for _, f := range fc.Features {
		p := f.Properties
		t.municipalities = append(t.municipalities, Municipality{IstatCode: p.IstatCode, CatastoCode: p.CatastoCode, Name: p.Name})
	}
	sort.Slice(t.municipalities, func(i, j int) bool { return t.municipalities[i].IstatCode < t.municipalities[j].IstatCode })
	for i, m := range t.municipalities {
		t.muniByCode[m.IstatCode] = i
	}
	return nil
}

// Quartieri returns Padova's quartieri ordered by code.
func (t *Territories) Quartieri() []Quartiere {
	out := append([]Quartiere(nil), t.quartieri...)
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// QuartiereKeys returns the quartiere codes as strings ("1"…"6"): the public
// partitions of district-level tables.
func (t *Territories) QuartiereKeys() []string {
	var out []string
	for _, q := range t.Quartieri() {
		out = append(out, q.Key())
	}
	return out
}

// Quartiere returns the quartiere whose key ("1"…"6") is given.
func (t *Territories) Quartiere(key string) (Quartiere, bool) {
	for _, q := range t.quartieri {
		if q.Key() == key {
			return q, true
		}
	}
	return Quartiere{}, false
}

// Consulte returns Padova's ten consulte in their official order.
func (t *Territories) Consulte() []Consulta { return append([]Consulta(nil), t.consulte...) }

// Municipalities returns the municipalities of the province of Padova,
// ordered by ISTAT code.
func (t *Territories) Municipalities() []Municipality {
	return append([]Municipality(nil), t.municipalities...)
}

// Municipality returns the municipality with the given six-digit ISTAT code.
func (t *Territories) Municipality(istatCode string) (Municipality, bool) {
	i, ok := t.muniByCode[istatCode]
	if !ok {
		return Municipality{}, false
	}
	return t.municipalities[i], true
}

// MunicipalitiesGeoJSON returns the GeoJSON FeatureCollection of the
// province's municipalities (properties name, com_istat_code,
// com_catasto_code). Source ISTAT via openpolis, CC-BY 4.0: show
// GeoAttribution wherever it is drawn.
func (t *Territories) MunicipalitiesGeoJSON() []byte { return append([]byte(nil), t.geo...) }

// GeoAttribution is the notice that must accompany maps drawn from
// MunicipalitiesGeoJSON.
const GeoAttribution = "Confini comunali / municipal boundaries: © ISTAT, via openpolis/geojson-italy, CC-BY 4.0"
