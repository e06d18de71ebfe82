package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	swdbase "github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/io/table"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/model"
	"github.com/welfare-district/swd/linkage/schema"
	"github.com/welfare-district/swd/linkage/synth"
	"github.com/welfare-district/swd/pipeline"
	"github.com/welfare-district/swd/taxonomy"

	"github.com/welfare-district/swd/cmd/swd-beam/internal/beamlink"
)

func TestMain(m *testing.M) {
	flag.Parse()
	beam.Init()
	os.Exit(m.Run())
}

// synthEncoded writes the synthetic exports of households households at the
// five default partners (medium corruption) and encodes each with the
// example schema, as swd synth and swd encode do; it returns the encoded
// files.
func synthEncoded(t *testing.T, dir string, households int) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := synth.Write(ctx, synth.Config{Households: households, Seed: 7, Corruption: synth.LevelMedium}, dir, nil); err != nil {
		t.Fatal(err)
	}
	s, err := schema.Load("../../docs/examples/synth/schema.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var secret encoding.Secret
	copy(secret[:], "swd-beam test secret, not a real one")
	var out []string
	for _, p := range synth.DefaultPartnerNames {
		enc, err := encoding.New(s, secret, p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := table.Open(filepath.Join(dir, p+".csv"), table.Options{Format: "csv", TrimSpace: s.Input.TrimSpace})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := enc.Bind(r.Header()); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, p+".swd.parquet")
		w, err := encfile.Create(path, enc.Layout(), enc.Partner())
		if err != nil {
			t.Fatal(err)
		}
		st, err := enc.Encode(ctx, r.Header(), r, encoding.Output{
			Record: func(_ string, rec *encoding.Record) error { return w.Write(rec) },
			Reject: func(encoding.Reject) error { return nil },
		})
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(enc.Meta(st)); err != nil {
			t.Fatal(err)
		}
		out = append(out, path)
	}
	return out
}

// partition returns the groups of records (partner/record id) that share an
// id, each sorted, sorted: the partition the ids stand for, whatever they
// are.
func partition(links []cluster.Link, household bool) [][]string {
	m := map[int64][]string{}
	for _, l := range links {
		id := l.ClusterID
		if household {
			id = l.HouseholdID
		}
		m[id] = append(m[id], l.Partner+"/"+l.RecordID)
	}
	out := make([][]string, 0, len(m))
	for _, g := range m {
		slices.Sort(g)
		out = append(out, g)
	}
	slices.SortFunc(out, slices.Compare)
	return out
}

// TestLinkSameAsSwdLink links synthetic data of five partners in process
// (linkage.Link, what swd link runs) and on Prism, with swd link's
// defaults (the household rule and the co-residence joins, which change
// both partitions on this data), with the in-process model and with a
// model fitted in the pipeline, and without the two rules; it wants the
// same partitions into persons and households, the same links file and
// the same model.
func TestLinkSameAsSwdLink(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Beam pipelines")
	}
	dir := t.TempDir()
	files := synthEncoded(t, dir, 400)
	ctx := context.Background()
	// swd link with its defaults, and without the household rule and the
	// co-residence joins (--household-min-weight 0 --no-co-residence).
	want, err := linkage.Link(ctx, readEncoded(t, files), linkage.Config{Workers: 2, Seed: 1, USamples: testUSamples})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := linkage.Link(ctx, readEncoded(t, files), linkage.Config{Workers: 2, Seed: 1, USamples: testUSamples,
		NoHouseholdMinWeight: true, NoCoResidence: true})
	if err != nil {
		t.Fatal(err)
	}
	st := want.Report.Clusters
	if st.WeakSplit == 0 || st.CoResident == 0 {
		t.Fatalf("the test data does not exercise the household rule (%d persons split) or the co-residence joins (%d)", st.WeakSplit, st.CoResident)
	}
	if slices.EqualFunc(partition(want.Links, false), partition(plain.Links, false), slices.Equal) ||
		slices.EqualFunc(partition(want.Links, true), partition(plain.Links, true), slices.Equal) {
		t.Fatal("the household rule and the co-residence joins change neither the persons nor the households of the test data")
	}
	var mj bytes.Buffer
	if err := want.Model.Encode(&mj); err != nil {
		t.Fatal(err)
	}
	modelPath := filepath.Join(dir, "model.json")
	if err := os.WriteFile(modelPath, mj.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	persons, households := partition(want.Links, false), partition(want.Links, true)
	if len(persons) == len(want.Links) || len(households) == len(persons) {
		t.Fatalf("the test data links nothing: %d records, %d persons, %d households", len(want.Links), len(persons), len(households))
	}
	log := slog.New(slog.DiscardHandler)
	// The second run compares one cell at a time (--cell-lanes 1), the
	// third each cell's pairs in slices of at most 37 (--cell-pairs),
	// dozens of slices a cell: the same links. The last runs without the
	// two rules and wants swd link's links without them.
	for _, run := range []struct {
		fit                    bool
		grid, cellPairs, lanes int
		plain                  bool
	}{{false, 3, beamlink.DefaultCellPairs, 0, false}, {true, 3, beamlink.DefaultCellPairs, 1, false}, {true, 2, 37, 2, false},
		{false, 2, beamlink.DefaultCellPairs, 0, true}} {
		fit, res := run.fit, want
		name := fmt.Sprintf("fit %v, plain %v", fit, run.plain)
		out := filepath.Join(dir, "beam.parquet")
		opts := &linkOptions{LinkFlags: pipeline.DefaultLinkFlags(), Rounds: 10, Shards: 3, Grid: run.grid, CellPairs: run.cellPairs, CellLanes: run.lanes, Buckets: 5}
		opts.Out, opts.USamples, opts.SaveModel = out, testUSamples, filepath.Join(dir, "beam-model.json")
		if !fit {
			opts.Model = modelPath
		}
		if run.plain {
			opts.HouseholdMin, opts.NoCoResidence, res = 0, true, plain
		}
		if err := opts.validate(files); err != nil {
			t.Fatal(err)
		}
		var stdout bytes.Buffer
		if err := linkFiles(ctx, opts, files, &stdout, log); err != nil {
			t.Fatal(err)
		}
		got, _, err := linksfile.Read(out)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(partition(got, false), partition(res.Links, false), slices.Equal) {
			t.Errorf("%s: the persons differ from swd link's", name)
		}
		if !slices.EqualFunc(partition(got, true), partition(res.Links, true), slices.Equal) {
			t.Errorf("%s: the households differ from swd link's", name)
		}
		if !slices.Equal(got, res.Links) {
			t.Errorf("%s: the links file differs from swd link's (ids or probabilities)", name)
		}
		saved, err := os.ReadFile(opts.SaveModel)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(saved, mj.Bytes()) {
			t.Errorf("%s: the model differs from swd link's", name)
		}
		if !strings.Contains(stdout.String(), "linked ") {
			t.Errorf("summary: %q", stdout.String())
		}
		for _, f := range []string{opts.Report, opts.ReportJSON} {
			if st, err := os.Stat(f); err != nil || st.Size() == 0 {
				t.Errorf("report %s: %v", f, err)
			}
		}
		var rep linkage.Report
		if b, err := os.ReadFile(opts.ReportJSON); err != nil || json.Unmarshal(b, &rep) != nil {
			t.Fatalf("report %s: %v", opts.ReportJSON, err)
		}
		if wst := res.Report.Clusters; rep.Clusters.WeakSplit != wst.WeakSplit || rep.Clusters.CoResident != wst.CoResident {
			t.Errorf("%s: %d persons split and %d households joined by co-residence, swd link %d and %d", name,
				rep.Clusters.WeakSplit, rep.Clusters.CoResident, wst.WeakSplit, wst.CoResident)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".swd-beam-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestSessionCountsAsSwdLink: the training sessions of the model's
// fallback, as the pipeline's fit reads them from the files
// (Plan.SessionCounts), are swd link's (linkage.SessionCounts over the
// datasets it holds), for the anchor fields and for the others.
func TestSessionCountsAsSwdLink(t *testing.T) {
	dir := t.TempDir()
	files := synthEncoded(t, dir, 150)
	ctx := context.Background()
	ds := readEncoded(t, files)
	opts := &linkOptions{LinkFlags: pipeline.DefaultLinkFlags(), Rounds: 10}
	opts.Out = filepath.Join(dir, "beam.parquet")
	if err := opts.validate(files); err != nil {
		t.Fatal(err)
	}
	cfg, err := opts.Linkage(0)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := planLink(files, opts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	jobs := linkage.Jobs(len(ds), cfg.NoDedup)
	want := linkage.SessionCounts(ctx, len(jobs), func(k int) (*model.Comparer, error) {
		return model.NewComparer(plan.Cmps, ds[jobs[k].A], ds[jobs[k].B])
	}, cfg)
	got := plan.SessionCounts(ctx)
	anchors := make([]bool, len(plan.Cmps))
	for f, c := range plan.Cmps {
		anchors[f] = c.Anchor
	}
	others := make([]bool, len(anchors))
	for f := range anchors {
		others[f] = !anchors[f]
	}
	for _, on := range [][]bool{anchors, others} {
		w, err := want(on)
		if err != nil {
			t.Fatal(err)
		}
		g, err := got(on)
		if err != nil {
			t.Fatal(err)
		}
		if w.Total() == 0 {
			t.Fatalf("on %v: no session pairs to compare", on)
		}
		if !maps.Equal(g, w) {
			t.Errorf("on %v: %d session pairs in %d patterns, swd link's %d in %d", on, g.Total(), len(g), w.Total(), len(w))
		}
	}
}

// testUSamples keeps the random sample behind u small: every sampled pair
// goes through the pipeline's joins.
const testUSamples = 20_000

// TestLinkDistrictNamesThePartners: with --district, swd-beam link refuses
// (before any pipeline runs) a partner the district file does not name, as
// swd link does.
func TestLinkDistrictNamesThePartners(t *testing.T) {
	dir := t.TempDir()
	files := synthEncoded(t, dir, 20)
	write := func(name, y string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	example := string(taxonomy.ExampleDistrict())
	opts := &linkOptions{LinkFlags: pipeline.DefaultLinkFlags(), Rounds: 10}
	opts.Out, opts.Threshold, opts.USamples, opts.District = filepath.Join(dir, "l.parquet"), 0.5, 1000, write("d.yaml", example)
	if err := opts.validate(files); err != nil {
		t.Fatal(err)
	}
	cfg := linkage.Config{Threshold: 0.5, USamples: 1000}
	if _, err := planLink(files, opts, cfg); err != nil {
		t.Fatalf("the example district names the demo's partners: %v", err)
	}
	opts.District = write("other.yaml", strings.ReplaceAll(example, "name: caritas", "name: sanvincenzo"))
	if _, err := planLink(files, opts, cfg); !errors.Is(err, swdbase.ErrInvalidInput) || !strings.Contains(err.Error(), "caritas") {
		t.Fatalf("a partner the district file does not name: %v", err)
	}
}

// swd-beam link takes swd link's shared flags (pipeline.LinkFlags), with
// swd link's defaults: the household rule at 7 bits and the co-residence
// joins.
func TestLinkFlagsOfSwdLink(t *testing.T) {
	var stderr strings.Builder
	fs := newFlagSet("link", &stderr)
	opts := &linkOptions{}
	opts.addFlags(fs)
	files, err := parseInterspersed(fs, []string{"a.swd.parquet", "--out", "l.parquet", "--tf", "surname", "--clustering", "all"})
	if err != nil {
		t.Fatal(err)
	}
	if err := opts.validate(files); err != nil {
		t.Fatal(err)
	}
	if opts.Report != "l.report.html" || len(opts.TF) != 1 || opts.Clustering != "all" || opts.Seed != 1 ||
		opts.HouseholdMin != linkage.DefaultHouseholdMinWeight || opts.NoCoResidence {
		t.Fatalf("options %+v", opts)
	}
	files, err = parseInterspersed(fs, []string{"a.swd.parquet", "--household-min-weight", "0", "--no-co-residence"})
	if err != nil {
		t.Fatal(err)
	}
	if err := opts.validate(files); err != nil {
		t.Fatal(err)
	}
	cfg, err := opts.Linkage(0)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.NoHouseholdMinWeight || !cfg.NoCoResidence {
		t.Fatalf("--household-min-weight 0 --no-co-residence: %+v", cfg)
	}
}

// readEncoded reads the encoded files, in order.
func readEncoded(t *testing.T, files []string) []*encoding.Dataset {
	t.Helper()
	ds := make([]*encoding.Dataset, len(files))
	for i, f := range files {
		var err error
		if ds[i], err = encfile.Read(context.Background(), f); err != nil {
			t.Fatal(err)
		}
	}
	return ds
}
