package neighbour

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	a := Tables{
		Values: map[string]map[string]int64{"t": {"1|x": 5, "2|x": 3}, "u": {"all": 10}},
		Bounds: map[string]int64{"t": 2, "u": 1},
	}
	b := Tables{
		Values: map[string]map[string]int64{"t": {"1|x": 4, "3|x": 2}, "u": {"all": 10}},
		Bounds: map[string]int64{"t": 2, "u": 1},
	}
	ds, err := Compare(a, b)
	if err != nil {
		t.Fatal(err)
	}
	// t: |5-4| + |3-0| + |0-2| = 6 > 2; u: 0.
	want := []Distance{{Table: "t", L1: 6, Bound: 2}, {Table: "u", L1: 0, Bound: 1}}
	if len(ds) != len(want) || ds[0] != want[0] || ds[1] != want[1] {
		t.Fatalf("got %v, want %v", ds, want)
	}
	if !ds[0].Exceeds() || ds[1].Exceeds() {
		t.Fatalf("Exceeds: %v %v", ds[0].Exceeds(), ds[1].Exceeds())
	}
	b.Bounds["u"] = 2
	if _, err := Compare(a, b); err == nil {
		t.Fatal("different declared bounds accepted")
	}
	delete(b.Values, "u")
	if _, err := Compare(a, b); err == nil {
		t.Fatal("different tables accepted")
	}
}

func TestReadReleaseRefusesNoise(t *testing.T) {
	for _, tt := range []struct{ name, json, want string }{
		{"small epsilon", `{"epsilon":1,"tables":[{"query":"t","csv":"t.csv","max_partitions_contributed":1,"max_contributions_per_partition":1}]}`, "not exact"},
		{"noisy table", `{"epsilon":1e6,"tables":[{"query":"t","csv":"t.csv","max_partitions_contributed":1,"max_contributions_per_partition":1,"noise_std":0.5}]}`, "noise"},
		{"no bounds", `{"epsilon":1e6,"tables":[{"query":"t","csv":"t.csv"}]}`, "no contribution bounds"},
		{"ok", `{"epsilon":1e6,"tables":[{"query":"t","csv":"t.csv","max_partitions_contributed":3,"max_contributions_per_partition":1}]}`, ""},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "release.json"), []byte(tt.json), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "t.csv"), []byte("district,need,noisy_value,ci_lower\n1,casa,7,6\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		tab, err := ReadRelease(dir)
		if tt.want != "" {
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
			}
			continue
		}
		if err != nil || tab.Values["t"]["1|casa"] != 7 || tab.Bounds["t"] != 3 {
			t.Errorf("%s: %+v, %v", tt.name, tab, err)
		}
	}
}
