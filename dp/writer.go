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
	FormatVersion int    `json:"format_version"`
	Title         string `json:"title,omitempty"`
	// Period is the period released, for a release over time (a linkage
	// state); Trend the tables released for the earlier periods, shown in
	// the report only (they are public already).
	Period        string         `json:"period,omitempty"`
	Trend         []PeriodTables `json:"-"`
	Created       time.Time      `json:"created"`
	LedgerEntryID string         `json:"ledger_entry_id"`
	Ledger        string         `json:"ledger"`
	// LedgerID is the hash of the ledger's init entry, LedgerHead the hash
	// of its LedgerEntries-th entry: this release's pending entry, the head
	// of the ledger once the release had reserved its budget. A published
	// release.json is a witness the ledger's owner cannot recall:
	// swd budget verify --release checks the ledger still holds that entry.
	LedgerID      string `json:"ledger_id"`
	LedgerHead    string `json:"ledger_head"`
	LedgerEntries int    `json:"ledger_entries"`
	// Warnings say plainly when the release protects little (WeakProtection).
	Warnings        []string `json:"warnings,omitempty"`
	CodeVersion     string   `json:"code_version"`
	TaxonomyVersion string   `json:"taxonomy_version"`
	Params          string   `json:"params"`
	UnitOfPrivacy   string   `json:"unit_of_privacy"`
	// PrivacyUnit states precisely whom the guarantee covers: the linked
	// household, with the ε of a true household the linkage split, the
	// group-privacy factor charged and the linkage's estimated split and
	// merge rates.
	PrivacyUnit    PrivacyUnitMeta  `json:"privacy_unit"`
	Epsilon        float64          `json:"epsilon"`
	Delta          float64          `json:"delta"` // δ spent (see Aggregation.Cost)
	Mechanism      string           `json:"mechanism"`
	Confidence     float64          `json:"confidence"`
	Bounds         ContributionMeta `json:"contribution_bounds"`
	Domain         DomainMeta       `json:"domain"`
	Tables         []TableMeta      `json:"tables"`
	PostProcessing string           `json:"post_processing"`
}

// LinkageQuality is what a release knows of the linkage that made its
// households (the links file's run description): the linkage's own
// estimates, from its model's posterior probabilities, of the share of
// linked households that are part of a true household split in several
// and of those that merge several true households.
type LinkageQuality struct {
	Households         int     `json:"households"`
	EstimatedSplitRate float64 `json:"estimated_split_rate"`
	EstimatedMergeRate float64 `json:"estimated_merge_rate"`
	// Source says where the estimates come from.
	Source string `json:"source"`
}

// PrivacyUnitMeta is release.json's statement of the unit of privacy.
type PrivacyUnitMeta struct {
	// Unit is "linked household": a household as the linkage formed it.
	Unit      string `json:"unit"`
	Guarantee string `json:"guarantee"`
	// GroupPrivacy is the k of --group-privacy (1: none); the ledger was
	// charged EpsilonCharged = k·ε and DeltaCharged = k·e^((k−1)ε)·δ.
	GroupPrivacy   int     `json:"group_privacy"`
	EpsilonCharged float64 `json:"epsilon_charged"`
	DeltaCharged   float64 `json:"delta_charged"`
	// SplitHouseholds gives the effective (ε, δ) of a true household the
	// linkage split into Parts linked households; Charged says the ledger
	// accounted for it (Parts ≤ GroupPrivacy).
	SplitHouseholds []SplitEpsilon `json:"split_households"`
	// Linkage holds the linkage's estimated split and merge rates; nil
	// when the links file carries none (LinkageNote says so).
	Linkage     *LinkageQuality `json:"linkage"`
	LinkageNote string          `json:"linkage_note"`
}

// SplitEpsilon is the effective privacy of a household split in Parts.
type SplitEpsilon struct {
	Parts   int     `json:"parts"`
	Epsilon float64 `json:"epsilon"`
	Delta   float64 `json:"delta"`
	Charged bool    `json:"charged"`
}

const guaranteeText = "Two datasets are neighbours when one holds one linked household more than the other (a household as the linkage formed it, " +
	"with all its records, needs and partners); every table together changes the probability of any output by at most e^ε (plus δ). " +
	"A true household the linkage split into k linked households is protected at k·ε (group privacy); when group_privacy ≥ k the ledger " +
	"was charged group_privacy·ε, so the dataset's total budget covers it. A true household the linkage merged with others into one linked household is protected at 2·ε " +
	"(removing it changes that linked household: one removed, another added). " +
	"The guarantee covers the released tables only: not the links file, the encoded files or the linkage report, which the linkage unit holds."

const linkageNote = "The split and merge rates are the linkage's own estimates from its model's posterior probabilities (swd link, links file household_errors). " +
	"They count only splits caused by links the model missed: a household whose members are known to different partners with no member in common cannot be joined " +
	"by any linkage and is not in the estimate; swd eval measures the true rates where a ground truth exists (docs/dp.md)."

// newPrivacyUnitMeta states the unit of privacy of a release of p that
// spends unit per linked household.
func newPrivacyUnitMeta(p Params, unit Budget, lq *LinkageQuality) PrivacyUnitMeta {
	k := p.Group()
	charged := groupCost(unit, k)
	m := PrivacyUnitMeta{Unit: "linked household", Guarantee: guaranteeText, GroupPrivacy: k,
		EpsilonCharged: charged.Epsilon, DeltaCharged: charged.Delta, Linkage: lq, LinkageNote: linkageNote}
	if lq == nil {
		m.LinkageNote = "The links file carries no estimate of the linkage's split and merge rates. " + linkageNote
	}
	for parts := 1; parts <= max(3, k+1); parts++ {
		m.SplitHouseholds = append(m.SplitHouseholds, SplitEpsilon{Parts: parts, Epsilon: GroupEpsilon(unit.Epsilon, parts),
			Delta: GroupDelta(unit.Epsilon, unit.Delta, parts), Charged: parts <= k})
	}
	return m
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

// needSelection says how a household with more needs than max_needs
// chooses those it counts in.
const needSelection = "a household with more needs than max_needs keeps those first in the order of SHA-256(bounding_key, household seed, need); " +
	"the seed is a SHA-256 of the household's own records (partner and record id of each, sorted), never its id in the links file, " +
	"so what a household contributes depends on that household alone"

const postProcessingNote = "noisy counts below 0 are set to 0 and, if round_to > 1, rounded to a multiple of it; " +
	"interval bounds are computed by the DP library from the unclamped noisy count, clamped to ≥ 0 and rounded to integers. " +
	"All of this uses only noisy values (post-processing), so it costs no privacy."

func newReleaseMeta(res *Result, d Domain) ReleaseMeta {
	p := res.Params
	m := ReleaseMeta{FormatVersion: FormatVersion, UnitOfPrivacy: "household", Params: p.String(),
		Epsilon: p.Epsilon, Delta: p.Delta, Mechanism: p.Mechanism, Confidence: p.Confidence,
		Bounds: ContributionMeta{MaxNeeds: p.MaxNeeds, MaxPerCell: 1,
			NeedSelection:        needSelection,
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
