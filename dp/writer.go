package dp

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/io/table"
)

// FormatVersion is the version of the release layout (files and columns).
const FormatVersion = 1

// Output columns after the grouping keys.
var valueColumns = []string{"noisy_value", "ci_lower", "ci_upper", "mechanism", "epsilon"}

// ReleaseMeta is release.json: everything needed to read the tables and
// to audit the release, and no data.
type ReleaseMeta struct {
	FormatVersion int       `json:"format_version"`
	Title         string    `json:"title,omitempty"`
	Created       time.Time `json:"created"`
	LedgerEntryID string    `json:"ledger_entry_id"`
	Ledger        string    `json:"ledger"`
	// LedgerID is the hash of the ledger's init entry, LedgerHead the hash
	// of its LedgerEntries-th entry: this release's pending entry, the head
	// of the ledger once the release had reserved its budget. A published
	// release.json is a witness the ledger's owner cannot recall:
	// swd budget verify --release checks the ledger still holds that entry.
	LedgerID      string `json:"ledger_id"`
	LedgerHead    string `json:"ledger_head"`
	LedgerEntries int    `json:"ledger_entries"`
	// Warnings say plainly when the release protects little (WeakProtection).
	Warnings        []string         `json:"warnings,omitempty"`
	CodeVersion     string           `json:"code_version"`
	TaxonomyVersion string           `json:"taxonomy_version"`
	Params          string           `json:"params"`
	UnitOfPrivacy   string           `json:"unit_of_privacy"`
	Epsilon         float64          `json:"epsilon"`
	Delta           float64          `json:"delta"` // δ spent (see Aggregation.Cost)
	Mechanism       string           `json:"mechanism"`
	Confidence      float64          `json:"confidence"`
	Bounds          ContributionMeta `json:"contribution_bounds"`
	Domain          DomainMeta       `json:"domain"`
	Tables          []TableMeta      `json:"tables"`
	PostProcessing  string           `json:"post_processing"`
}

// ContributionMeta states how each household's contribution is bounded.
type ContributionMeta struct {
	MaxNeeds             int    `json:"max_needs"`
	MaxPerCell           int    `json:"max_contributions_per_cell"`
	NeedSelection        string `json:"need_selection"`
	BoundingKeyIsInParam bool   `json:"bounding_key_in_params"`
}

// DomainMeta lists the public partitions.
type DomainMeta struct {
	Districts      []string `json:"districts"`
	Needs          []string `json:"needs"`
	Partners       []string `json:"partners"`
	PublicServices []string `json:"public_services"`
}

// TableMeta describes one released table.
type TableMeta struct {
	Query              string   `json:"query"`
	CSV                string   `json:"csv"`
	Parquet            string   `json:"parquet"`
	Columns            []string `json:"columns"`
	Aggregate          string   `json:"aggregate"`
	Cells              int      `json:"cells"`
	Epsilon            float64  `json:"epsilon"`
	Delta              float64  `json:"delta"`
	MaxPartitions      int64    `json:"max_partitions_contributed"`
	MaxPerPartition    int64    `json:"max_contributions_per_partition"`
	NoiseStd           float64  `json:"noise_std"`
	NoiseScale         float64  `json:"noise_scale"`
	NoiseScaleMeaning  string   `json:"noise_scale_meaning"`
	PartitionSelection bool     `json:"partition_selection"`
}

const postProcessingNote = "noisy counts below 0 are set to 0 and, if round_to > 1, rounded to a multiple of it; " +
	"interval bounds are computed by the DP library from the unclamped noisy count, clamped to ≥ 0 and rounded to integers. " +
	"All of this uses only noisy values (post-processing), so it costs no privacy."

func newReleaseMeta(res *Result, d Domain) ReleaseMeta {
	p := res.Params
	m := ReleaseMeta{FormatVersion: FormatVersion, UnitOfPrivacy: "household", Params: p.String(),
		Epsilon: p.Epsilon, Delta: p.Delta, Mechanism: p.Mechanism, Confidence: p.Confidence,
		Bounds: ContributionMeta{MaxNeeds: p.MaxNeeds, MaxPerCell: 1,
			NeedSelection:        "a household with more needs than max_needs keeps those first in the order of SHA-256(bounding_key, household id, need)",
			BoundingKeyIsInParam: true},
		Domain:         DomainMeta{Districts: d.DistrictKeys(), Needs: d.Needs, Partners: d.Partners, PublicServices: d.Public.Partners},
		PostProcessing: postProcessingNote}
	for _, t := range res.Tables {
		tm := TableMeta{Query: t.Query, CSV: t.Query + ".csv", Parquet: t.Query + ".parquet", Columns: tableColumns(&t), Aggregate: "count",
			Cells: len(t.Cells), Epsilon: t.Epsilon, Delta: t.Delta, MaxPartitions: t.MaxPartitions,
			MaxPerPartition: t.MaxPerPartition, NoiseStd: t.NoiseStd, PartitionSelection: t.PartitionSelection}
		if t.Sum {
			tm.Aggregate = fmt.Sprintf("sum clamped to [0, %d] per household", t.MaxPerPartition)
		}
		if t.Mechanism == MechanismGaussian {
			tm.NoiseScale, tm.NoiseScaleMeaning = t.NoiseStd, "sigma of the (discrete) Gaussian noise"
		} else {
			tm.NoiseScale, tm.NoiseScaleMeaning = t.NoiseStd/math.Sqrt2, "b of the (discrete) Laplace noise: std = sqrt(2)·b"
		}
		m.Tables = append(m.Tables, tm)
	}
	return m
}

func tableColumns(t *Table) []string {
	return append(append([]string(nil), t.Columns...), valueColumns...)
}

// tableColumnsData lays a table out for io/table's writer: string key
// columns, noisy_value int64, ci bounds double, mechanism string, epsilon
// double, in that order.
func tableColumnsData(t *Table) []table.Column {
	n := len(t.Cells)
	cols := make([]table.Column, 0, len(t.Columns)+len(valueColumns))
	for i, name := range t.Columns {
		keys := make([]string, n)
		for j, c := range t.Cells {
			keys[j] = c.Keys[i]
		}
		cols = append(cols, table.Column{Name: name, Strings: keys})
	}
	vals, lo, hi := make([]int64, n), make([]float64, n), make([]float64, n)
	mech, eps := make([]string, n), make([]float64, n)
	for j, c := range t.Cells {
		vals[j], lo[j], hi[j], mech[j], eps[j] = c.Value, c.CILower, c.CIUpper, t.Mechanism, t.Epsilon
	}
	return append(cols, table.Column{Name: "noisy_value", Ints: vals}, table.Column{Name: "ci_lower", Floats: lo},
		table.Column{Name: "ci_upper", Floats: hi}, table.Column{Name: "mechanism", Strings: mech},
		table.Column{Name: "epsilon", Floats: eps})
}

// writeRelease writes every file of a release into dir (which exists),
// each atomically and fsync'd (tables through io/table's writer, which keeps
// the columns in order).
func writeRelease(dir string, res *Result, meta ReleaseMeta, report []byte) error {
	js, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return err
	}
	for i := range res.Tables {
		t := &res.Tables[i]
		cols := tableColumnsData(t)
		for _, ext := range []string{".csv", ".parquet"} {
			if err := table.WriteTable(filepath.Join(dir, t.Query+ext), cols); err != nil {
				return err
			}
		}
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "report.html"), report, 0o644); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, "release.json"), append(js, '\n'), 0o644)
}
