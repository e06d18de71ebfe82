package bench

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
)

// BlockingConfig describes a blocking-quality measurement on one of the
// public benchmark datasets, encoded with its example schema.
type BlockingConfig struct {
	Dataset       string // "ncvoter" (ncvoter-100k) or "febrl4"
	DataDir       string // the shared datasets folder
	SchemaDir     string // docs/examples
	Bands         int    // LSH bands (0: no LSH pass)
	BitsPerBand   int
	Seed          uint64
	FieldLSH      []string // fields of a second LSH pass (none: no such pass)
	FieldBands    int
	FieldBits     int  // sampled bits per band of the field pass
	Keys          bool // also the schema's keyed blocking keys
	MaxBlockPairs int64
	Workers       int // encoding workers
}

// BlockingResult is what bench/blocking prints.
type BlockingResult struct {
	Dataset          string               `json:"dataset"`
	NA               int                  `json:"n_a"`
	NB               int                  `json:"n_b"`
	TruePairs        int                  `json:"true_pairs"`
	Candidates       int64                `json:"candidates"`
	PairCompleteness float64              `json:"pair_completeness"`
	ReductionRatio   float64              `json:"reduction_ratio"`
	ComparedShare    float64              `json:"compared_share"` // 1 - reduction ratio
	EncodeSeconds    float64              `json:"encode_seconds"`
	BlockSeconds     float64              `json:"block_seconds"`
	Passes           []blocking.PassStats `json:"passes"`
	// MissedByDice counts the true pairs blocking missed by the Dice of
	// their CLKs, in tenths: [0] = [0, 0.1), …, [9] = [0.9, 1].
	MissedByDice [10]int        `json:"missed_by_dice"`
	Config       BlockingConfig `json:"config"`
}

// benchSecret is a fixed, public linkage secret: the measurement must be
// reproducible, and these are public test data.
func benchSecret() encoding.Secret {
	var s encoding.Secret
	copy(s[:], "swd public benchmark secret, not for real data!")
	return s
}

type datasetSpec struct {
	schema string   // folder under SchemaDir
	files  []string // relative to DataDir: A, B
	entity func(id string) string
}

var datasets = map[string]datasetSpec{
	"ncvoter": {"ncvoter", []string{"ncvoter-100k/df_A_100000.csv", "ncvoter-100k/df_B_100000.csv"},
		func(id string) string { return id }},
	"febrl4": {"febrl", []string{"febrl/dataset4a.csv", "febrl/dataset4b.csv"},
		func(id string) string { // rec-N-org / rec-N-dup-K
			p := strings.SplitN(id, "-", 3)
			if len(p) < 2 {
				return id
			}
			return p[0] + "-" + p[1]
		}},
}

// RunBlocking encodes both files of the dataset, blocks them and measures
// pair completeness against the ground truth and the reduction ratio.
func RunBlocking(ctx context.Context, cfg BlockingConfig) (BlockingResult, error) {
	res := BlockingResult{Dataset: cfg.Dataset, Config: cfg}
	spec, ok := datasets[cfg.Dataset]
	if !ok {
		return res, base.Usagef("bench: unknown dataset %q (ncvoter, febrl4)", cfg.Dataset)
	}
	s, err := schema.Load(filepath.Join(cfg.SchemaDir, spec.schema, "schema.yaml"))
	if err != nil {
		return res, err
	}
	start := time.Now()
	var ds [2]*encoding.Dataset
	for k, f := range spec.files {
		if ds[k], err = encodeCSV(ctx, s, filepath.Join(cfg.DataDir, f), cfg.Workers); err != nil {
			return res, err
		}
	}
	res.EncodeSeconds = time.Since(start).Seconds()
	a, b := ds[0], ds[1]
	res.NA, res.NB = a.Len(), b.Len()

	var passes []blocking.Pass
	if cfg.Bands > 0 {
		passes = append(passes, blocking.LSH{Bands: cfg.Bands, BitsPerBand: cfg.BitsPerBand, Seed: cfg.Seed})
	}
	if len(cfg.FieldLSH) > 0 {
		passes = append(passes, blocking.LSH{Bands: cfg.FieldBands, BitsPerBand: cfg.FieldBits,
			Seed: cfg.Seed + 1, Fields: cfg.FieldLSH})
	}
	if cfg.Keys {
		for _, c := range a.BlockKeys {
			passes = append(passes, blocking.Key{Column: c.Name})
		}
	}
	start = time.Now()
	cands, st, err := blocking.Candidates(ctx, a, b, blocking.Config{Passes: passes, MaxBlockPairs: cfg.MaxBlockPairs})
	if err != nil {
		return res, err
	}
	res.BlockSeconds = time.Since(start).Seconds()
	truth := truePairs(a, b, spec.entity)
	res.TruePairs = len(truth)
	res.Candidates = st.Candidates
	res.Passes = st.Passes
	res.PairCompleteness = blocking.PairCompleteness(cands, truth)
	res.MissedByDice = missedByDice(a, b, cands, truth)
	res.ReductionRatio = blocking.ReductionRatio(st.Candidates, a.Len(), b.Len())
	res.ComparedShare = 1 - res.ReductionRatio
	return res, nil
}

func encodeCSV(ctx context.Context, s *schema.Schema, path string, workers int) (*encoding.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true // FEBRL separates with ", "
	r.ReuseRecord = false
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, base.Invalidf("bench: %s is empty", path)
	}
	enc, err := encoding.New(s, benchSecret(), "", encoding.WithWorkers(max(workers, 1)))
	if err != nil {
		return nil, err
	}
	d, _, _, err := enc.EncodeDataset(ctx, rows[0], rows[1:])
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", path, err)
	}
	return d, nil
}

// truePairs pairs the records of a and b whose record ids name the same
// entity.
func truePairs(a, b *encoding.Dataset, entity func(string) string) []blocking.Pair {
	byEntity := map[string][]uint32{}
	for j, id := range b.RecordIDs {
		e := entity(id)
		byEntity[e] = append(byEntity[e], uint32(j))
	}
	var out []blocking.Pair
	for i, id := range a.RecordIDs {
		for _, j := range byEntity[entity(id)] {
			out = append(out, blocking.Pair{I: uint32(i), J: j})
		}
	}
	return out
}

func missedByDice(a, b *encoding.Dataset, cands, truth []blocking.Pair) [10]int {
	var h [10]int
	have := make(map[blocking.Pair]bool, len(cands))
	for _, p := range cands {
		have[p] = true
	}
	for _, p := range truth {
		if have[p] {
			continue
		}
		d := bitvec.Dice(a.CLK.At(int(p.I)), b.CLK.At(int(p.J)))
		h[min(int(d*10), 9)]++
	}
	return h
}

// WriteTable prints the result for people.
func (r BlockingResult) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d × %d records, %d true pairs\n", r.Dataset, r.NA, r.NB, r.TruePairs)
	fmt.Fprintf(&b, "  candidates %d (%.4f%% of all pairs), pair completeness %.4f, reduction ratio %.6f\n",
		r.Candidates, 100*r.ComparedShare, r.PairCompleteness, r.ReductionRatio)
	for _, p := range r.Passes {
		fmt.Fprintf(&b, "  pass %-20s blocks %8d pairs %10d skipped blocks %d (%d pairs)\n",
			p.Name, p.Blocks, p.Pairs, p.SkippedBlocks, p.SkippedPairs)
	}
	fmt.Fprintf(&b, "  missed true pairs by CLK Dice (tenths): %v\n", r.MissedByDice)
	fmt.Fprintf(&b, "  encode %.1f s, block %.1f s\n", r.EncodeSeconds, r.BlockSeconds)
	_, err := io.WriteString(w, b.String())
	return err
}
