package neighbour

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/welfare-district/swd/linkage/synth"
)

// PopulationConfig configures NewPopulation.
type PopulationConfig struct {
	// Households to generate (synth.Config.Households).
	Households int
	// Partners; nil: synth.DefaultPartnerNames.
	Partners []string
	// Seed of the synthetic generator and of the needs.
	Seed uint64
	// Corruption of the records (synth.LevelLow when zero).
	Corruption synth.Level
	// MaxNeedCount: household i gets 1 + i mod MaxNeedCount distinct
	// canonical needs (7 when zero), so need counts run from 1 to it, above
	// any small --max-needs.
	MaxNeedCount int
	// NoDistrictEvery: every NoDistrictEvery-th household has no district in
	// any of its records (25 when zero; negative: none).
	NoDistrictEvery int
}

// Household is one true household of a Population.
type Household struct {
	// ID is the truth household id (synth's truth.csv).
	ID int64
	// Needs are the canonical needs every record of the household carries.
	Needs []string
	// NoDistrict is true when none of its records has a district.
	NoDistrict bool
	// Records maps a partner to the record ids it holds of the household.
	Records map[string][]string
}

// Partners returns the partners that hold a record of h, sorted.
func (h *Household) Partners() []string {
	var out []string
	for p, ids := range h.Records {
		if len(ids) > 0 {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// Population is a synthetic district with ground truth whose households
// have more needs than a release keeps: the partner exports of swd synth
// with the bisogni and quartiere columns rewritten per household. A
// neighbouring population leaves out whole households (WriteExports).
type Population struct {
	Partners   []string
	Households []*Household
	rows       map[string][]row // partner → rows, in file order
}

type row struct {
	household int64
	fields    []string
}

// NewPopulation generates the population in memory. Needs are written in
// each partner's local codes where a local code stands for exactly one
// canonical need (so the partners' code maps are exercised), canonical
// codes otherwise.
func NewPopulation(cfg PopulationConfig) (*Population, error) {
	if cfg.MaxNeedCount == 0 {
		cfg.MaxNeedCount = 7
	}
	if cfg.NoDistrictEvery == 0 {
		cfg.NoDistrictEvery = 25
	}
	if cfg.Corruption == synth.LevelNone && cfg.Households > 0 {
		cfg.Corruption = synth.LevelLow
	}
	if cfg.MaxNeedCount > len(synth.CanonicalNeeds) {
		return nil, fmt.Errorf("neighbour: at most %d needs per household", len(synth.CanonicalNeeds))
	}
	names := cfg.Partners
	if names == nil {
		names = synth.DefaultPartnerNames
	}
	g, err := synth.NewGenerator(synth.Config{Households: cfg.Households, Partners: synth.PartnersByName(names),
		Seed: cfg.Seed, Corruption: cfg.Corruption})
	if err != nil {
		return nil, err
	}
	local := localCodes(names)
	r := rand.New(rand.NewPCG(cfg.Seed, 0x6e656967))
	p := &Population{Partners: slices.Clone(names), rows: map[string][]row{}}
	for i := range cfg.Households {
		sh, rows := g.Next()
		h := &Household{ID: sh.ID, Records: map[string][]string{}}
		perm := r.Perm(len(synth.CanonicalNeeds))[:1+i%cfg.MaxNeedCount]
		for _, k := range perm {
			h.Needs = append(h.Needs, synth.CanonicalNeeds[k])
		}
		slices.Sort(h.Needs)
		h.NoDistrict = cfg.NoDistrictEvery > 0 && i%cfg.NoDistrictEvery == cfg.NoDistrictEvery-1
		for _, rw := range rows {
			partner := names[rw.Partner]
			rec := rw.Record
			var codes []string
			for _, n := range h.Needs {
				c := n
				if lc, ok := local[partner][n]; ok {
					c = lc
				}
				codes = append(codes, c)
			}
			rec.Bisogni = strings.Join(codes, ";")
			if h.NoDistrict {
				rec.Quartiere = ""
			}
			h.Records[partner] = append(h.Records[partner], rec.RecordID)
			p.rows[partner] = append(p.rows[partner], row{household: sh.ID, fields: rec.Fields()})
		}
		p.Households = append(p.Households, h)
	}
	return p, nil
}

// localCodes maps, per partner, a canonical need to a local code that
// stands for it alone.
func localCodes(partners []string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, p := range partners {
		m := map[string]string{}
		for _, lc := range synth.LocalCodes(p) {
			if len(lc.Canonical) == 1 {
				if _, ok := m[lc.Canonical[0]]; !ok {
					m[lc.Canonical[0]] = lc.Code
				}
			}
		}
		out[p] = m
	}
	return out
}

// Household returns the household with truth id id, or nil.
func (p *Population) Household(id int64) *Household {
	for _, h := range p.Households {
		if h.ID == id {
			return h
		}
	}
	return nil
}

// WriteExports writes one CSV per partner (<partner>.csv, the synth
// header) into dir, leaving out the rows of the households in without, and
// truth.csv for the rows written. It returns the partner files written, in
// Partners order. A partner left with no rows still gets a file with its
// header only.
func (p *Population) WriteExports(dir string, without ...int64) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	var truth [][]string
	for _, partner := range p.Partners {
		path := filepath.Join(dir, partner+".csv")
		out := [][]string{synth.Columns}
		for _, r := range p.rows[partner] {
			if slices.Contains(without, r.household) {
				continue
			}
			out = append(out, r.fields)
			truth = append(truth, []string{partner, r.fields[0], strconv.FormatInt(r.household, 10)})
		}
		if err := writeCSV(path, out); err != nil {
			return nil, err
		}
		files = append(files, path)
	}
	truth = append([][]string{{"partner", "record_id", "household_id"}}, truth...)
	return files, writeCSV(filepath.Join(dir, "truth.csv"), truth)
}

func writeCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
