package linksfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/welfare-district/swd/internal/base"
)

// TestLegacyRun reads the untagged description swd wrote before version 1
// (testdata/run-v0.json, from swd link --model M --assignment greedy
// --threshold 0.7): its options become Params, its paths are dropped, and
// writing it back gives a version 1 description that reads the same.
func TestLegacyRun(t *testing.T) {
	data, err := os.ReadFile("testdata/run-v0.json")
	require.NoError(t, err)
	run, err := ParseRun(data, "old.parquet")
	require.NoError(t, err)
	require.Equal(t, 0, run.FormatVersion)
	require.Equal(t, Params{Threshold: 0.7, Assignment: "greedy", ModelGiven: true, HouseholdAttr: "household",
		USamples: 1000000, Seed: 1, VetoWeight: -10, DiceMaxPairs: 400000000}, run.Params)
	require.NotNil(t, run.Model)
	require.Len(t, run.Model.Fields, 9)
	require.Equal(t, []string{"acli", "caritas", "cgil", "comune", "ulss6"}, run.Partners)
	require.Equal(t, 3225, run.Clusters.Records)
	require.InDelta(t, 0.99758, run.Expected.Recall, 1e-5)

	path := filepath.Join(t.TempDir(), "links.parquet")
	require.NoError(t, Write(path, sample(3), run))
	_, again, err := Read(path)
	require.NoError(t, err)
	require.Equal(t, RunVersion, again.FormatVersion)
	again.FormatVersion = 0
	require.Equal(t, run, again)
	raw, err := marshalRun(run)
	require.NoError(t, err)
	for _, leak := range []string{"/keys/", "/data/", "Seal", "Trust"} {
		require.NotContains(t, string(raw), leak)
	}
}

// TestRunJSONNames pins the field names of the description: scripts read
// them (docs/format.md).
func TestRunJSONNames(t *testing.T) {
	raw, err := marshalRun(&Run{})
	require.NoError(t, err)
	for _, name := range []string{`"format_version":1`, `"code_version"`, `"params"`, `"threshold"`, `"assignment"`,
		`"model_given"`, `"no_tf"`, `"no_dedup"`, `"household_attr"`, `"u_samples"`, `"fixed_u"`, `"seed"`,
		`"veto_weight"`, `"no_veto"`, `"dice_max_pairs"`, `"dice_threshold"`, `"dice_top_k"`, `"model"`,
		`"partners"`, `"clusters"`, `"expected":{"precision":0,"recall":0}`} {
		require.Contains(t, string(raw), name)
	}
}

func TestParseRunRefuses(t *testing.T) {
	legacy, err := os.ReadFile("testdata/run-v0.json")
	require.NoError(t, err)
	tests := []struct {
		name, data, msg string
	}{
		{"not JSON", `{"format_version":`, "not valid JSON"},
		{"newer", `{"format_version":2,"params":{}}`, "newer swd"},
		{"no version, no options", `{"code_version":"x"}`, "neither a format version nor options"},
		{"bad model", strings.Replace(string(legacy), `"version":1`, `"version":99`, 1), "model version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRun([]byte(tt.data), "l.parquet")
			require.Error(t, err)
			require.True(t, errors.Is(err, base.ErrInvalidInput), "%v", err)
			require.Contains(t, err.Error(), tt.msg)
			require.Contains(t, err.Error(), "l.parquet")
		})
	}
}
