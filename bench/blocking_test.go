package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/welfare-district/swd/internal/testdirs"
)

// datasetConfig returns the measured blocking configuration for a dataset
// (docs/performance.md), skipping the test when the data is absent.
func datasetConfig(t *testing.T, name string) BlockingConfig {
	root := testdirs.ModuleRoot(t)
	data := testdirs.SharedDatasets(t)
	for _, f := range datasets[name].files {
		testdirs.SharedFile(t, f)
	}
	cfg := BlockingConfig{Dataset: name, DataDir: data, SchemaDir: filepath.Join(root, "docs", "examples"),
		Seed: 1, Keys: true, Workers: 2}
	switch name {
	case "ncvoter":
		cfg.Bands, cfg.BitsPerBand = 20, 26
		cfg.FieldLSH, cfg.FieldBands, cfg.FieldBits = []string{"birth_year", "house_number", "street_name"}, 10, 28
	case "febrl4":
		cfg.Bands, cfg.BitsPerBand = 40, 12
		cfg.FieldLSH, cfg.FieldBands, cfg.FieldBits = []string{"date_of_birth", "soc_sec_id", "postcode", "street_number"}, 30, 12
	}
	return cfg
}

// TestBlockingFEBRL4 measures pair completeness on FEBRL4 (the issue's
// target is 99.9%, met at the time of writing, see docs/performance.md).
// The figure moves by a few tenths of a percent whenever the example schema
// or the encoder's PRF changes (the LSH then samples other bits of other
// filters), so the test fails only below 99.5%, which means real breakage.
func TestBlockingFEBRL4(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes 10,000 records")
	}
	res, err := RunBlocking(context.Background(), datasetConfig(t, "febrl4"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pair completeness %.4f, compared share %.4f%%", res.PairCompleteness, 100*res.ComparedShare)
	if res.PairCompleteness < 0.999 {
		t.Logf("below the 99.9%% target: re-tune the FEBRL4 passes (bench/blocking)")
	}
	if res.TruePairs != 5000 || res.PairCompleteness < 0.995 {
		t.Fatalf("%d true pairs, pair completeness %.4f", res.TruePairs, res.PairCompleteness)
	}
}

// TestBlockingNCVoter checks the ncvoter-100k target (pair completeness at
// least 99.5% comparing at most 0.1% of the pairs). It encodes 200,000
// records (about a minute of CPU), so it runs only with SWD_LONG_TESTS=1,
// as make quality sets it.
func TestBlockingNCVoter(t *testing.T) {
	if os.Getenv("SWD_LONG_TESTS") == "" {
		t.Skip("set SWD_LONG_TESTS=1 to run")
	}
	res, err := RunBlocking(context.Background(), datasetConfig(t, "ncvoter"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pair completeness %.4f, compared share %.4f%%", res.PairCompleteness, 100*res.ComparedShare)
	if res.TruePairs != 50000 || res.PairCompleteness < 0.995 || res.ComparedShare > 0.001 {
		t.Fatalf("%d true pairs, pair completeness %.4f, compared share %.5f", res.TruePairs, res.PairCompleteness, res.ComparedShare)
	}
}
