package taxonomy

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"path"

	"go.yaml.in/yaml/v3"
)

func loadIstatAreas() ([]IstatArea, error) {
	rows, err := readEmbeddedCSV("data/istat_aree_utenza.csv", 3)
	if err != nil {
		return nil, err
	}
	var out []IstatArea
	for _, r := range rows {
		if r[0] == "TOT" {
			continue
		}
		out = append(out, IstatArea{Code: r[0], NameIT: r[1], Note: r[2]})
	}
	return out, nil
}

// readEmbeddedCSV returns the data rows (header dropped) of an embedded CSV
// file with exactly cols columns.
func readEmbeddedCSV(name string, cols int) ([][]string, error) {
	raw, err := dataFS.ReadFile(name)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = cols
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("%s: no data rows", name)
	}
	return rows[1:], nil
}

// readEmbeddedYAML decodes an embedded YAML file into v.
func readEmbeddedYAML(name string, v any) error {
	raw, err := dataFS.ReadFile(name)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", path.Base(name), err)
	}
	return nil
}
