package synth

import (
	"bufio"
	"embed"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed data/*.tsv
var dataFS embed.FS

// picker draws items with probability proportional to their weights.
type picker[T any] struct {
	items []T
	cum   []float64
}

func (p *picker[T]) add(item T, w float64) {
	if w <= 0 {
		return
	}
	total := w
	if n := len(p.cum); n > 0 {
		total += p.cum[n-1]
	}
	p.items = append(p.items, item)
	p.cum = append(p.cum, total)
}

func (p *picker[T]) pick(r *rand.Rand) T {
	x := r.Float64() * p.cum[len(p.cum)-1]
	return p.items[sort.SearchFloat64s(p.cum, x)]
}

func (p *picker[T]) len() int { return len(p.items) }

// place is a birthplace: a comune or a foreign country.
type place struct {
	Code string // Belfiore code
	Name string
}

// street is a street of a quartiere with its CAP.
type street struct {
	Quartiere int
	CAP       string
	Name      string
}

// country is a foreign community with its names.
type country struct {
	place
	male, female, surnames picker[string]
	// sharedSurname: married women usually carry the husband's surname in
	// their documents.
	sharedSurname bool
}

// LocalCode is one need code of a partner and the canonical codes it
// stands for.
type LocalCode struct {
	Code      string
	Canonical []string
}

// tables holds the parsed embedded data.
type tables struct {
	comuni       picker[place]
	placeNames   map[string]string // Belfiore code → name, comuni and countries
	placeAliases map[string]string // official country name → what offices often write
	surnames     picker[string]
	given        map[string]*picker[string] // "M/old", "F/young", …
	countries    picker[*country]
	streets      [7][]street // by quartiere 1–6
	// region: the comuni of Veneto other than Padova, where households
	// beyond CityHouseholds live (region.go).
	region    []residence
	translit  map[string][]string
	needCodes map[string][]LocalCode // partner → codes, in file order
}

var (
	loadOnce sync.Once
	loaded   *tables
	loadErr  error
)

// data returns the embedded tables, parsed once.
func data() (*tables, error) {
	loadOnce.Do(func() { loaded, loadErr = parseTables() })
	return loaded, loadErr
}

// mustData is for code paths reached only after data() succeeded.
func mustData() *tables {
	t, err := data()
	if err != nil {
		panic(err)
	}
	return t
}

func parseTables() (*tables, error) {
	t := &tables{
		placeNames:   map[string]string{},
		placeAliases: map[string]string{},
		given:        map[string]*picker[string]{},
		translit:     map[string][]string{},
		needCodes:    map[string][]LocalCode{},
	}
	steps := []struct {
		file   string
		fields int
		row    func([]string) error
	}{
		{"comuni.tsv", 4, t.addComune},
		{"surnames.tsv", 2, t.addSurname},
		{"given_names.tsv", 4, t.addGiven},
		{"countries.tsv", 4, t.addCountry},
		{"foreign_names.tsv", 4, t.addForeignName},
		{"streets.tsv", 3, t.addStreet},
		{"translit.tsv", 1, t.addTranslit},
		{"needs.tsv", 3, t.addNeedCode},
	}
	for _, s := range steps {
		if err := eachRow(s.file, s.fields, s.row); err != nil {
			return nil, err
		}
	}
	return t, t.check()
}

// eachRow calls f with the tab-separated fields of each non-comment line.
func eachRow(file string, fields int, f func([]string) error) error {
	b, err := dataFS.ReadFile("data/" + file)
	if err != nil {
		return fmt.Errorf("synth: embedded %s: %w", file, err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		rec := strings.Split(text, "\t")
		if len(rec) != fields {
			return fmt.Errorf("synth: embedded %s line %d: %d fields, want %d", file, line, len(rec), fields)
		}
		if err := f(rec); err != nil {
			return fmt.Errorf("synth: embedded %s line %d: %w", file, line, err)
		}
	}
	return sc.Err()
}

func weight(s string) (float64, error) {
	w, err := strconv.ParseFloat(s, 64)
	if err != nil || w <= 0 {
		return 0, fmt.Errorf("bad weight")
	}
	return w, nil
}

func (t *tables) addComune(r []string) error {
	w, err := weight(r[3])
	if err != nil {
		return err
	}
	t.comuni.add(place{Code: r[0], Name: r[1]}, w)
	t.placeNames[r[0]] = r[1]
	t.addResidence(r[0], r[2])
	return nil
}

func (t *tables) addSurname(r []string) error {
	w, err := weight(r[1])
	if err != nil {
		return err
	}
	t.surnames.add(r[0], w)
	return nil
}

var cohorts = []string{"old", "mid", "young"}

func (t *tables) addGiven(r []string) error {
	w, err := weight(r[3])
	if err != nil {
		return err
	}
	sex, cohort, name := r[0], r[1], r[2]
	if sex != "M" && sex != "F" {
		return fmt.Errorf("bad sex")
	}
	targets := []string{cohort}
	if cohort == "*" {
		targets = cohorts
	}
	for _, c := range targets {
		key := sex + "/" + c
		p := t.given[key]
		if p == nil {
			p = &picker[string]{}
			t.given[key] = p
		}
		p.add(name, w)
	}
	return nil
}

// sharedSurnameCountries are the communities whose married women usually
// carry the husband's surname.
var sharedSurnameCountries = map[string]bool{
	"Z129": true, "Z140": true, "Z138": true, "Z216": true, "Z127": true,
	"Z148": true, "Z602": true, "Z335": true, "Z306": true, "Z100": true,
}

func (t *tables) addCountry(r []string) error {
	w, err := weight(r[2])
	if err != nil {
		return err
	}
	c := &country{place: place{Code: r[0], Name: r[1]}, sharedSurname: sharedSurnameCountries[r[0]]}
	t.countries.add(c, w)
	t.placeNames[r[0]] = r[1]
	if r[3] != "-" {
		t.placeAliases[r[1]] = r[3]
	}
	return nil
}

func (t *tables) addForeignName(r []string) error {
	w, err := weight(r[3])
	if err != nil {
		return err
	}
	var c *country
	for _, x := range t.countries.items {
		if x.Code == r[0] {
			c = x
		}
	}
	if c == nil {
		return fmt.Errorf("unknown country code")
	}
	switch r[1] {
	case "M":
		c.male.add(r[2], w)
	case "F":
		c.female.add(r[2], w)
	case "S":
		c.surnames.add(r[2], w)
	default:
		return fmt.Errorf("bad kind")
	}
	return nil
}

func (t *tables) addStreet(r []string) error {
	q, err := strconv.Atoi(r[0])
	if err != nil || q < 1 || q > 6 {
		return fmt.Errorf("bad quartiere")
	}
	t.streets[q] = append(t.streets[q], street{Quartiere: q, CAP: r[1], Name: r[2]})
	return nil
}

func (t *tables) addTranslit(r []string) error {
	group := strings.Split(r[0], "|")
	for _, n := range group {
		for _, m := range group {
			if m != n {
				t.translit[n] = append(t.translit[n], m)
			}
		}
	}
	return nil
}

func (t *tables) addNeedCode(r []string) error {
	canon := strings.Split(r[2], ",")
	for _, c := range canon {
		if !isCanonicalNeed(c) {
			return fmt.Errorf("unknown canonical need")
		}
	}
	t.needCodes[r[0]] = append(t.needCodes[r[0]], LocalCode{Code: r[1], Canonical: canon})
	return nil
}

func (t *tables) check() error {
	if t.comuni.len() == 0 || t.surnames.len() == 0 || t.countries.len() == 0 {
		return fmt.Errorf("synth: embedded data incomplete")
	}
	for _, s := range []string{"M", "F"} {
		for _, c := range cohorts {
			if t.given[s+"/"+c] == nil {
				return fmt.Errorf("synth: no given names for %s/%s", s, c)
			}
		}
	}
	for _, c := range t.countries.items {
		if c.male.len() == 0 || c.female.len() == 0 || c.surnames.len() == 0 {
			return fmt.Errorf("synth: no names for country %s", c.Code)
		}
	}
	if len(t.region) != 562 {
		return fmt.Errorf("synth: %d comuni of Veneto besides Padova, want 562", len(t.region))
	}
	for q := 1; q <= 6; q++ {
		if len(t.streets[q]) == 0 {
			return fmt.Errorf("synth: no streets for quartiere %d", q)
		}
	}
	return nil
}
