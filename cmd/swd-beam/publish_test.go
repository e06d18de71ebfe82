package main

import (
	"context"
	"encoding/csv"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/dp"
	swdbase "github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/pipeline"
	"github.com/welfare-district/swd/taxonomy"
)

// TestPublishSameCountsAsSwdPublish publishes the same linkage in process
// (what swd publish runs) and with privacy-on-beam on Prism, at an ε so
// large that the noise rounds away, and wants the same counts in every
// table; and both ledgers must record one committed release.
func TestPublishSameCountsAsSwdPublish(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two Beam pipelines")
	}
	ctx := context.Background()
	dir := t.TempDir()
	files := synthEncoded(t, dir, 300)
	ds := make([]*encoding.Dataset, len(files))
	var partners []string
	for i, f := range files {
		var err error
		if ds[i], err = encfile.Read(ctx, f); err != nil {
			t.Fatal(err)
		}
		partners = append(partners, ds[i].Meta.Partner)
	}
	res, err := linkage.Link(ctx, ds, linkage.Config{Workers: 2, Seed: 1, USamples: testUSamples})
	if err != nil {
		t.Fatal(err)
	}
	links := filepath.Join(dir, "links.parquet")
	if err := linksfile.Write(links, res.Links, nil); err != nil {
		t.Fatal(err)
	}
	const eps = 1e9
	big := dp.Budget{Epsilon: 1e12, Delta: 1e-6}

	// In process, as swd publish does.
	hs, _, err := pipeline.BuildHouseholds(res.Links, ds, pipeline.HouseholdConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ledgerA := filepath.Join(dir, "a.ledger")
	if err := dp.InitLedger(ledgerA, "test", big, nil); err != nil {
		t.Fatal(err)
	}
	domain := dp.DefaultDomain(partners)
	domain.Public = taxonomy.DefaultPublicServices()
	binding := dp.NewBinding(ds[0].Meta.KeyCheck, ds[0].Meta.SchemaFingerprint, partners)
	want, err := dp.Publish(ctx, hs, dp.PublishConfig{Params: dp.Params{Epsilon: eps}, Domain: domain, Ledger: ledgerA, Binding: binding, OutDir: filepath.Join(dir, "release-a")})
	if err != nil {
		t.Fatal(err)
	}

	// On Beam.
	ledgerB := filepath.Join(dir, "b.ledger")
	if err := dp.InitLedger(ledgerB, "test", big, nil); err != nil {
		t.Fatal(err)
	}
	// The roles from the district file of swd district init (the demo's
	// partners: comune and ulss6 public services).
	district := filepath.Join(dir, "district.yaml")
	if err := os.WriteFile(district, taxonomy.ExampleDistrict(), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := &publishOptions{ReleaseFlags: pipeline.DefaultReleaseFlags(), Links: links, Ledger: ledgerB, Out: filepath.Join(dir, "release-b"),
		DistrictAttr: pipeline.DefaultDistrictAttr, NeedsAttr: pipeline.DefaultNeedsAttr}
	opts.Epsilon, opts.District = eps, district
	if err := opts.validate(files); err != nil {
		t.Fatal(err)
	}
	if err := opts.load(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := publishFiles(ctx, opts, files, &out, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	for _, wt := range want.Result.Tables {
		a, b := readCSV(t, filepath.Join(dir, "release-a", wt.Query+".csv")), readCSV(t, filepath.Join(opts.Out, wt.Query+".csv"))
		if len(a) != len(b) || len(a) != len(wt.Cells)+1 {
			t.Fatalf("%s: %d and %d rows for %d cells", wt.Query, len(a), len(b), len(wt.Cells))
		}
		for r := range a {
			if strings.Join(a[r], ",") != strings.Join(b[r], ",") {
				t.Errorf("%s: row %d is %v, swd publish's %v", wt.Query, r, b[r], a[r])
			}
		}
	}
	for _, l := range []string{ledgerA, ledgerB} {
		st, err := dp.ReadLedger(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if st.Spent.Epsilon != eps || len(st.Uncommitted) > 0 {
			t.Errorf("ledger %s: spent %v, uncommitted %v", filepath.Base(l), st.Spent, st.Uncommitted)
		}
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestPublishNeedsRoles: like swd publish, swd-beam publish does not guess
// which partners are public services: without --district or
// --public-services it is a usage error, and a district file that does not
// name a partner of the release is refused before any pipeline runs.
func TestPublishNeedsRoles(t *testing.T) {
	dir := t.TempDir()
	base := []string{"--links", "l.parquet", "--ledger", "l", "--out", filepath.Join(dir, "o"), "--epsilon", "1", "a.swd.parquet"}
	var stderr strings.Builder
	err := runPublish(context.Background(), base, &stderr, &stderr, slog.New(slog.DiscardHandler))
	if !errors.Is(err, swdbase.ErrUsage) || !strings.Contains(err.Error(), "--district FILE") {
		t.Fatalf("no roles: %v", err)
	}
	files := synthEncoded(t, dir, 20)
	other := filepath.Join(dir, "other.yaml")
	y := strings.ReplaceAll(string(taxonomy.ExampleDistrict()), "name: caritas", "name: sanvincenzo")
	if err := os.WriteFile(other, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	ledger := filepath.Join(dir, "ledger")
	if err := dp.InitLedger(ledger, "test", dp.Budget{Epsilon: 3}, nil); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--district", other, "--links", filepath.Join(dir, "none.parquet"), "--ledger", ledger,
		"--out", filepath.Join(dir, "o"), "--epsilon", "1"}, files...)
	err = runPublish(context.Background(), args, &stderr, &stderr, slog.New(slog.DiscardHandler))
	if !errors.Is(err, swdbase.ErrInvalidInput) || !strings.Contains(err.Error(), "caritas") {
		t.Fatalf("a partner the district file does not name: %v", err)
	}
}
