package linkage

import (
	"context"
	"os"
	"reflect"
	"testing"
)

// TestMemoryLimitSpills: a memory limit far below the job's need spills
// every partner pair's candidates to disk and still gives the links of an
// unlimited run, and the spill files are gone afterwards.
func TestMemoryLimitSpills(t *testing.T) {
	f := synthFixture(t)
	free, err := Link(context.Background(), f.ds, Config{USamples: 50_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if free.Report.Spill != nil {
		t.Fatalf("an unlimited run spilled: %+v", free.Report.Spill)
	}
	dir := t.TempDir()
	tight, err := Link(context.Background(), f.ds, Config{USamples: 50_000, Seed: 1, MemoryLimit: 1, SpillDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	jobs := len(Jobs(len(f.ds), false))
	if s := tight.Report.Spill; s == nil || s.Jobs != jobs || s.Bytes <= 0 {
		t.Fatalf("spill %+v, want all %d partner pairs spilled", s, jobs)
	}
	if !reflect.DeepEqual(tight.Links, free.Links) {
		t.Fatal("spilling changed the links")
	}
	for k, p := range tight.Report.Pairs {
		if p.Candidates != free.Report.Pairs[k].Candidates {
			t.Fatalf("%s × %s: %d candidates spilled, %d in memory", p.A, p.B, p.Candidates, free.Report.Pairs[k].Candidates)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("%d spill files left behind", len(left))
	}
}
