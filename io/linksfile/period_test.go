package linksfile

import (
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/linkage/cluster"
)

// TestWritePeriodsReadable: a period's links file is read by Read as any
// links file, and keeps its period columns.
func TestWritePeriodsReadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "links.parquet")
	in := []PeriodLink{
		NewPeriodLink(cluster.Link{ClusterID: 4, HouseholdID: 9, Partner: "a", RecordID: "1", MatchProbability: 0.9}, "2026-02", "2026-01"),
		NewPeriodLink(cluster.Link{ClusterID: 7, HouseholdID: 9, Partner: "b", RecordID: "2"}, "2026-02", "2026-02"),
	}
	if err := WritePeriods(path, in, &Run{CodeVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	links, run, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 2 || links[0].ClusterID != 4 || links[1].HouseholdID != 9 || run == nil || run.CodeVersion != "test" {
		t.Fatalf("read %+v %+v", links, run)
	}
	rows, err := parquet.ReadFile[PeriodLink](path)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0] != in[0] || rows[1] != in[1] {
		t.Fatalf("period columns: %+v, want %+v", rows, in)
	}
}
