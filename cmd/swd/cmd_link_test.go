package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/model"
)

// linkRun runs swd link on encoded into dir/name.parquet with extra flags
// and returns the links and the run description the file holds.
func linkRun(t *testing.T, dir, name string, encoded []string, extra ...string) ([]cluster.Link, *linksfile.Run, string) {
	t.Helper()
	out := filepath.Join(dir, name+".parquet")
	args := append([]string{"link", "--u-samples", "20000", "--out", out}, extra...)
	code, stdout, stderr := runCLI(t, append(args, encoded...)...)
	if code != ExitOK {
		t.Fatalf("link %v: exit %d: %s", extra, code, stderr)
	}
	links, run, err := linksfile.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if run == nil || run.FormatVersion != linksfile.RunVersion || run.Clusters.Records != len(links) {
		t.Fatalf("run description %+v for %d links", run, len(links))
	}
	return links, run, stdout
}

func TestLinkCommand(t *testing.T) {
	dir, encoded, _ := publishFixture(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	base, run, stdout := linkRun(t, dir, "base", encoded, "--csv", p("base.csv"), "--save-model", p("model.json"),
		"--report-json", p("report.json"))

	t.Run("defaults in the run description and the summary", func(t *testing.T) {
		want := "linked " + strconv.Itoa(len(base)) + " records into " + strconv.Itoa(run.Clusters.Clusters) + " persons"
		if !strings.Contains(stdout, want) || !strings.Contains(stdout, "report: "+p("base.report.html")) {
			t.Fatalf("stdout %q lacks %q or the default report", stdout, want)
		}
		prm := run.Params
		if prm.Threshold != 0.5 || prm.Assignment != "optimal" || prm.ModelGiven || prm.USamples != 20000 || prm.HouseholdAttr != "household" {
			t.Fatalf("params %+v", prm)
		}
		if !reflect.DeepEqual(run.Partners, publishPartners) {
			t.Fatalf("partners %v", run.Partners)
		}
		if _, err := os.Stat(p("base.report.html")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("--csv holds the same links", func(t *testing.T) {
		csv, run, err := linksfile.ReadAny(p("base.csv"))
		if err != nil || run != nil || !reflect.DeepEqual(csv, base) {
			t.Fatalf("CSV: %d links, run %v, err %v", len(csv), run, err)
		}
	})
	t.Run("--report-json describes this linkage", func(t *testing.T) {
		var rep struct {
			Threshold float64       `json:"threshold"`
			Clusters  cluster.Stats `json:"clusters"`
			Expected  struct {
				Precision float64 `json:"precision"`
			} `json:"expected"`
			Partners []struct {
				Partner string `json:"partner"`
			} `json:"partners"`
		}
		b, err := os.ReadFile(p("report.json"))
		if err != nil || json.Unmarshal(b, &rep) != nil {
			t.Fatalf("report JSON: %v", err)
		}
		if rep.Threshold != 0.5 || rep.Clusters != run.Clusters || rep.Expected.Precision != run.Expected.Precision || len(rep.Partners) != len(encoded) {
			t.Fatalf("report %+v, run %+v", rep, run.Clusters)
		}
	})
	t.Run("--save-model then --model gives the same links", func(t *testing.T) {
		saved, err := model.ReadFile(p("model.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(saved, run.Model) {
			t.Fatal("the saved model differs from the one in the links file")
		}
		again, run2, _ := linkRun(t, dir, "again", encoded, "--model", p("model.json"), "--save-model", p("model2.json"))
		if !reflect.DeepEqual(again, base) {
			t.Fatal("the saved model, applied, gives other links")
		}
		if !run2.Params.ModelGiven || !reflect.DeepEqual(run2.Model, saved) {
			t.Fatalf("params %+v; model applied as saved: %v", run2.Params, reflect.DeepEqual(run2.Model, saved))
		}
		if b1, b2 := readBytes(t, p("model.json")), readBytes(t, p("model2.json")); string(b1) != string(b2) {
			t.Fatal("re-saving an applied model changes it")
		}
	})
	t.Run("--threshold", func(t *testing.T) {
		// Accepted links are nearly certain here: a threshold between the
		// weakest of them and 1 must drop some.
		weakest := 1.0
		for _, l := range base {
			if l.MatchProbability > 0 {
				weakest = min(weakest, l.MatchProbability)
			}
		}
		if weakest == 1 {
			t.Fatal("no link below 1: the test shows nothing")
		}
		threshold := (weakest + 1) / 2
		strict, run, _ := linkRun(t, dir, "strict", encoded, "--threshold", strconv.FormatFloat(threshold, 'g', -1, 64))
		if run.Params.Threshold != threshold || run.Clusters.Clusters <= runClusters(t, base) {
			t.Fatalf("threshold %g: %d persons, %d at 0.5", run.Params.Threshold, run.Clusters.Clusters, runClusters(t, base))
		}
		for _, l := range strict {
			if l.MatchProbability != 0 && l.MatchProbability < threshold {
				t.Fatalf("a record joined by a link of probability %g < %g", l.MatchProbability, threshold)
			}
		}
	})
	t.Run("--assignment greedy", func(t *testing.T) {
		greedy, run, _ := linkRun(t, dir, "greedy", encoded, "--assignment", "greedy")
		if run.Params.Assignment != "greedy" || len(greedy) != len(base) {
			t.Fatalf("params %+v, %d links", run.Params, len(greedy))
		}
	})
	t.Run("--no-tf, --tf, --clustering and --household-min-weight are recorded", func(t *testing.T) {
		if run.Params.NoTF || len(run.Params.TF) != 0 || run.Params.Clustering != "contested" || run.Params.HouseholdMinWeight != 7 { // linkage.DefaultHouseholdMinWeight
			t.Fatalf("default params %+v", run.Params)
		}
		_, noTF, _ := linkRun(t, dir, "notf", encoded, "--no-tf")
		if !noTF.Params.NoTF {
			t.Fatalf("--no-tf: params %+v", noTF.Params)
		}
		_, tf, _ := linkRun(t, dir, "tf", encoded, "--tf", "surname", "--clustering", "merge", "--household-min-weight", "4")
		if !reflect.DeepEqual(tf.Params.TF, []string{"surname"}) || tf.Params.Clustering != "merge" || tf.Params.HouseholdMinWeight != 4 {
			t.Fatalf("params %+v", tf.Params)
		}
		_, off, _ := linkRun(t, dir, "nohh", encoded, "--household-min-weight", "0")
		if off.Params.HouseholdMinWeight != 0 {
			t.Fatalf("--household-min-weight 0: params %+v", off.Params)
		}
		tfField := func(m *model.Model) bool {
			for _, f := range m.Fields {
				if f.Field == "surname" {
					return f.TF
				}
			}
			t.Fatal("no surname field in the model")
			return false
		}
		if tfField(run.Model) || !tfField(tf.Model) {
			t.Fatal("--tf surname does not mark the field for the adjustment, or it is marked by default")
		}
	})
	t.Run("bad flags and inputs", func(t *testing.T) {
		writeFile(t, p("bad-model.json"), `{"version": 1}`, 0o644)
		for _, tc := range []struct {
			args []string
			code int
		}{
			{[]string{"--threshold", "1.5"}, ExitUsage},
			{[]string{"--assignment", "hungarian"}, ExitUsage},
			{[]string{"--u-samples", "10"}, ExitUsage},
			{[]string{"--clustering", "louvain"}, ExitUsage},
			{[]string{"--tf", "no_such_field"}, ExitUsage},
			{[]string{"--model", p("bad-model.json")}, ExitInput},
		} {
			args := append(append([]string{"link", "--out", p("bad.parquet")}, tc.args...), encoded...)
			if code, _, stderr := runCLI(t, args...); code != tc.code {
				t.Errorf("%v: exit %d, want %d: %s", tc.args, code, tc.code, stderr)
			}
		}
		assertAbsent(t, p("bad.parquet"))
	})
}

func runClusters(t *testing.T, links []cluster.Link) int {
	t.Helper()
	seen := map[int64]bool{}
	for _, l := range links {
		seen[l.ClusterID] = true
	}
	return len(seen)
}

func TestParseMemoryLimit(t *testing.T) {
	const total = 24 << 30
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"75%", 18 << 30, true},
		{"100%", total, true},
		{"0", 0, true},
		{"1048576", 1 << 20, true},
		{"500MB", 500e6, true},
		{"8GiB", 8 << 30, true},
		{"1.5G", 1.5e9, true},
		{"2 GiB", 2 << 30, true},
		{"0%", 0, false},
		{"150%", 0, false},
		{"-1", 0, false},
		{"lots", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		got, err := parseMemoryLimit(tc.in, total)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseMemoryLimit(%q) = %d, %v; want %d (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestLinkGCPercentFor: a quarter of the live heap up to about 2.9 GB of
// encoded files, then a headroom of about 1 GiB, never below 10%.
func TestLinkGCPercentFor(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want int
	}{
		{0, 25},
		{-1, 25},
		{460e6, 25},   // 1M synth records
		{2.8e9, 25},   // about 6M
		{4.6e9, 15},   // 10M: 1 GiB over a 6.9 GB heap
		{7.158e9, 10}, // exactly 10%
		{100e9, 10},   // never below
	} {
		if got := linkGCPercentFor(tc.in); got != tc.want {
			t.Errorf("linkGCPercentFor(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestStateGCPercentFor: swd link --state keeps GOGC 100 for a city's
// snapshots and bounds the heap's growth between collections for larger
// ones, never below 33%.
func TestStateGCPercentFor(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want int
	}{
		{0, 100},
		{-1, 100},
		{20035454, 100}, // 20,000 synth households
		{145e6, 100},    // exactly 100%
		{401874395, 36}, // 400,000
		{439.6e6, 33},   // exactly 33%
		{4.5e9, 33},     // 10M records: never below
	} {
		if got := stateGCPercentFor(tc.in); got != tc.want {
			t.Errorf("stateGCPercentFor(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// swd link without flags links as linkage.DefaultConfig says: the quality
// tests (linkage/eval) link with it and stand for swd link's figures.
func TestLinkDefaultsAreLinkageDefaults(t *testing.T) {
	opts := &LinkOptions{}
	fs := pflag.NewFlagSet("link", pflag.ContinueOnError)
	opts.AddFlags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	got, err := opts.Linkage(1)
	if err != nil {
		t.Fatal(err)
	}
	got.NoCoResidence = opts.NoCoResidence
	want := linkage.DefaultConfig()
	want.Workers = 1
	if got, err = got.WithDefaults(); err != nil {
		t.Fatal(err)
	}
	if want, err = want.WithDefaults(); err != nil {
		t.Fatal(err)
	}
	got.Logger, got.Progress, want.Logger, want.Progress = nil, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("swd link's defaults\n%+v\nlinkage.DefaultConfig\n%+v", got, want)
	}
}
