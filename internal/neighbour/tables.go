package neighbour

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Tables are the exact values of a release's tables with their declared
// contribution bounds: what the neighbour property is checked on.
type Tables struct {
	// Values maps a table to its cells (grouping keys joined by "|") and
	// their exact values.
	Values map[string]map[string]int64
	// Bounds maps a table to the L1 distance one household may cause: its
	// declared max_partitions_contributed × max_contributions_per_partition.
	Bounds map[string]int64
}

// Names returns the tables, sorted.
func (t Tables) Names() []string { return slices.Sorted(maps.Keys(t.Values)) }

// releaseMeta is the part of release.json the check reads.
type releaseMeta struct {
	Epsilon float64 `json:"epsilon"`
	Tables  []struct {
		Query           string   `json:"query"`
		CSV             string   `json:"csv"`
		Columns         []string `json:"columns"`
		MaxPartitions   int64    `json:"max_partitions_contributed"`
		MaxPerPartition int64    `json:"max_contributions_per_partition"`
		NoiseStd        float64  `json:"noise_std"`
	} `json:"tables"`
}

// MinExactEpsilon is the smallest release ε ReadRelease accepts: noise of
// standard deviation below 10⁻³ (for bounds up to 10 and shares down to
// 0.05) rounds to 0 in an integer count with overwhelming probability.
const MinExactEpsilon = 1e5

// ReadRelease reads a release directory (release.json and the CSV tables)
// made at an ε so large (≥ MinExactEpsilon) that the noisy values are the
// exact counts, and returns the tables with the bounds release.json
// declares. It refuses a release whose noise is not negligible, and a
// table without its bounds.
func ReadRelease(dir string) (Tables, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "release.json"))
	if err != nil {
		return Tables{}, err
	}
	var meta releaseMeta
	if err := json.Unmarshal(raw, &meta); err != nil {
		return Tables{}, fmt.Errorf("release.json: %w", err)
	}
	if meta.Epsilon < MinExactEpsilon {
		return Tables{}, fmt.Errorf("release.json: ε = %g: the values are not exact (need ≥ %g)", meta.Epsilon, MinExactEpsilon)
	}
	out := Tables{Values: map[string]map[string]int64{}, Bounds: map[string]int64{}}
	for _, t := range meta.Tables {
		if t.MaxPartitions < 1 || t.MaxPerPartition < 1 {
			return Tables{}, fmt.Errorf("release.json: table %s declares no contribution bounds", t.Query)
		}
		if t.NoiseStd > 1e-3 {
			return Tables{}, fmt.Errorf("release.json: table %s has noise of std %g: the values are not exact", t.Query, t.NoiseStd)
		}
		cells, err := readTableCSV(filepath.Join(dir, t.CSV))
		if err != nil {
			return Tables{}, err
		}
		out.Values[t.Query] = cells
		out.Bounds[t.Query] = t.MaxPartitions * t.MaxPerPartition
	}
	if len(out.Values) == 0 {
		return Tables{}, fmt.Errorf("release.json: no tables")
	}
	return out, nil
}

// readTableCSV reads a released table: the grouping keys are the columns
// before noisy_value.
func readTableCSV(path string) (map[string]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no header", path)
	}
	v := slices.Index(rows[0], "noisy_value")
	if v < 0 {
		return nil, fmt.Errorf("%s: no noisy_value column", path)
	}
	cells := map[string]int64{}
	for i, r := range rows[1:] {
		x, err := strconv.ParseInt(r[v], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: noisy_value: %w", path, i+2, err)
		}
		cells[strings.Join(r[:v], "|")] = x
	}
	return cells, nil
}

// Distance is the L1 distance of one table between two neighbouring
// releases, and its declared bound.
type Distance struct {
	Table string
	L1    int64
	Bound int64
}

// Exceeds reports whether the distance breaks the bound.
func (d Distance) Exceeds() bool { return d.L1 > d.Bound }

func (d Distance) String() string {
	return fmt.Sprintf("%s: L1 %d (bound %d)", d.Table, d.L1, d.Bound)
}

// Compare returns the L1 distance of every table of a and b. The two must
// release the same tables with the same bounds (a neighbour's release
// declares what the full one does); a cell in one only counts its whole
// value.
func Compare(a, b Tables) ([]Distance, error) {
	if !slices.Equal(a.Names(), b.Names()) {
		return nil, fmt.Errorf("the releases have different tables: %v and %v", a.Names(), b.Names())
	}
	var out []Distance
	for _, name := range a.Names() {
		if a.Bounds[name] != b.Bounds[name] {
			return nil, fmt.Errorf("table %s: declared bounds differ: %d and %d", name, a.Bounds[name], b.Bounds[name])
		}
		d := Distance{Table: name, Bound: a.Bounds[name]}
		ca, cb := a.Values[name], b.Values[name]
		for k, x := range ca {
			d.L1 += abs(x - cb[k])
		}
		for k, y := range cb {
			if _, ok := ca[k]; !ok {
				d.L1 += abs(y)
			}
		}
		out = append(out, d)
	}
	return out, nil
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
