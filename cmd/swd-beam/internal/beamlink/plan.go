package beamlink

import (
	"encoding/json"
	"fmt"

	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/model"
)

// Plan is everything the workers need to know about a linkage, computed by
// the launcher from the files' footers and the options. It travels to the
// workers as JSON inside the DoFns.
type Plan struct {
	Partners []Partner          `json:"partners"`
	Cmps     []model.Comparison `json:"comparisons"`
	Passes   []Pass             `json:"passes"`
	Jobs     []linkage.Job      `json:"jobs"`

	MaxBlockPairs int64   `json:"max_block_pairs"`
	DiceMaxPairs  int64   `json:"dice_max_pairs"`
	DiceThreshold float64 `json:"dice_threshold"`
	DiceTopK      int     `json:"dice_top_k"`
	DiceChunk     int     `json:"dice_chunk"`

	Threshold  float64 `json:"threshold"`
	VetoWeight float64 `json:"veto_weight"`
	NoVeto     bool    `json:"no_veto"`
	NoTF       bool    `json:"no_tf"`
	Greedy     bool    `json:"greedy"`
	// Clustering is linkage.Config.Clustering: which components are
	// solved on all their pairs.
	Clustering string `json:"clustering"`
	USamples   int    `json:"u_samples"`
	Seed       uint64 `json:"seed"`
	FixedU     bool   `json:"fixed_u"`

	HouseholdAttr string `json:"household_attr"`
	// HouseholdMinWeight is linkage.Config.HouseholdMinWeight (0: no such
	// rule): the clustering's components include the records sharing a
	// partner household id, so that the rule sees every person joining
	// two households.
	HouseholdMinWeight float64 `json:"household_min_weight"`
	// NoCoResidence is linkage.Config.NoCoResidence: households are not
	// joined by their records' co-residence keys.
	NoCoResidence bool `json:"no_co_residence"`
	// Rounds is the number of large-star/small-star rounds of the
	// connected components; the labelling stage fails if they did not
	// converge.
	Rounds int `json:"rounds"`
	// Grid is the side of the comparison grid: records fall in Grid
	// groups by a hash of their reference, and cell (g, h) holds the
	// records of groups g and h and compares the pairs between them. Each
	// record is sent to Grid cells, and a cell holds about 2/Grid of all
	// records.
	Grid int `json:"grid"`
	// CellPairs bounds the pairs a cell decodes and compares at once: a
	// cell with more compares them in slices of their first record, one
	// pass over its packets each (see DefaultCellPairs).
	CellPairs int `json:"cell_pairs"`
	// CellLanes, when positive, bounds the cell stages that run at once:
	// stage i is held back until stage i−CellLanes has finished. Prism
	// runs every stage whose input is complete, all the cell stages at
	// once, each holding its cell's input as one message and its decoded
	// records and pairs; on a cluster the bound only slows the run.
	CellLanes int `json:"cell_lanes"`
	// Buckets is the number of buckets of every other grouping (blocks,
	// values, components, households).
	Buckets int `json:"buckets"`
	// Shards is the number of output shards; ShardDir where they go.
	Shards   int    `json:"shards"`
	ShardDir string `json:"shard_dir"`
}

// Partner is one input file.
type Partner struct {
	Name   string  `json:"name"`
	Path   string  `json:"path"`
	Rows   int     `json:"rows"`
	Groups []int64 `json:"groups"` // rows of each row group
}

// Pass is a blocking pass: a keyed blocking-key column or an LSH.
type Pass struct {
	Key string        `json:"key,omitempty"`
	LSH *blocking.LSH `json:"lsh,omitempty"`
}

// Pass returns the blocking pass.
func (p Pass) Pass() blocking.Pass {
	if p.LSH != nil {
		return *p.LSH
	}
	return blocking.Key{Column: p.Key}
}

// PassesOf converts a blocking configuration.
func PassesOf(c blocking.Config) ([]Pass, error) {
	var out []Pass
	for _, p := range c.Passes {
		switch q := p.(type) {
		case blocking.Key:
			out = append(out, Pass{Key: q.Column})
		case blocking.LSH:
			out = append(out, Pass{LSH: &q})
		default:
			return nil, fmt.Errorf("beamlink: blocking pass %s cannot run on Beam", p.Name())
		}
	}
	return out, nil
}

// subPasses numbers the sub-passes of all passes: the first sub-pass of
// each pass, and the total.
func (p *Plan) subPasses() (first []int, total int) {
	for _, ps := range p.Passes {
		first = append(first, total)
		total += blocking.SubPasses(ps.Pass())
	}
	return first, total
}

// config is the linkage.Config the plan stands for (for FitModel).
func (p *Plan) config() linkage.Config {
	return linkage.Config{Threshold: p.Threshold, USamples: p.USamples, Seed: p.Seed, FixedU: p.FixedU,
		NoTF: p.NoTF, VetoWeight: p.VetoWeight, NoVeto: p.NoVeto, Workers: 1}
}

// DefaultGrid is the grid side for n records: the smallest grid whose
// largest cell is estimated at no more than cellBytes of input. A cell
// (g, h), g ≠ h, holds 2n/G records (cellRecordBytes each, with their
// term-frequency counts) and 2/G² of the pairs (cellPairBytes a record).
// Cells are grouped one per stage, so the largest cell is the largest
// message Prism sends (at most 2 GiB), and the most a worker holds of
// the comparison's input; a smaller grid sends each record to fewer
// cells, and Prism holds every copy in memory.
func DefaultGrid(n int) int {
	for g := 1; ; g++ {
		recs := float64(n) * cellRecordBytes
		pairs := float64(n) * cellPairBytes
		if g > 1 {
			recs, pairs = 2*recs/float64(g), 2*pairs/float64(g*g)
		}
		if recs+pairs <= cellBytes || g == MaxGrid {
			return g
		}
	}
}

// The estimate of a cell's input behind DefaultGrid. Records: the filters
// of the example schema's nine compared fields (2,752 bits) and their
// term-frequency counts. Pairs: the pair runs (~6 bytes an occurrence,
// docs/scale-out.md) of ~300 occurrences and candidates a record, more
// than the ~290 of a million synthetic records (pairs per record grow
// with the population; --grid overrides the estimate).
const (
	cellRecordBytes = 400
	cellPairBytes   = 2048
	cellBytes       = 1 << 30
	// MaxGrid is the largest grid side (a cell's key numbers it in 24 bits).
	MaxGrid = 4096
)

// DefaultCellPairs is Plan.CellPairs when it is not set: 8 Mi pairs, 192
// MiB decoded.
const DefaultCellPairs = 1 << 23

func (p *Plan) cellPairs() int {
	if p.CellPairs > 0 {
		return p.CellPairs
	}
	return DefaultCellPairs
}

// DefaultBuckets is the bucket count for n records: about 16,384 records
// a bucket, at least 8.
func DefaultBuckets(n int) int { return max(8, n/16_384) }

// Encode returns the plan as JSON.
func (p *Plan) Encode() string {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // a Plan always marshals
	}
	return string(b)
}

// DecodePlan parses a plan encoded by Encode.
func DecodePlan(s string) (*Plan, error) {
	var p Plan
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("beamlink: plan: %w", err)
	}
	return &p, nil
}

// Ref names record row of partner p: p<<32 | row.
func Ref(p, row int) uint64 { return uint64(p)<<32 | uint64(row) }

// partnerOf and rowOf take a Ref apart.
func partnerOf(r uint64) int { return int(r >> 32) }
func rowOf(r uint64) int     { return int(uint32(r)) }

// jobIndex maps an ordered pair of partners (a ≤ b) to its job.
func (p *Plan) jobIndex() map[[2]int]int {
	m := map[[2]int]int{}
	for k, j := range p.Jobs {
		m[[2]int{j.A, j.B}] = k
	}
	return m
}

// diceJob reports whether job k is also searched exhaustively with the Dice
// kernel, as linkage's all-pairs pass does.
func (p *Plan) diceJob(k int) bool {
	j := p.Jobs[k]
	space := float64(p.Partners[j.A].Rows) * float64(p.Partners[j.B].Rows)
	return p.DiceMaxPairs >= 0 && space <= float64(p.DiceMaxPairs)
}
