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

// DefaultGrid is the grid side for n records: cells of at most about
// 500,000 records.
func DefaultGrid(n int) int { return max(1, (n+249_999)/250_000) }

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
