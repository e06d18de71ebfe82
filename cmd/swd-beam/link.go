package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/model"
	"github.com/welfare-district/swd/pipeline"

	"github.com/welfare-district/swd/cmd/swd-beam/internal/beamlink"
)

// linkOptions are swd link's flags that apply to a Beam run
// (pipeline.LinkFlags), plus the pipeline's own.
type linkOptions struct {
	pipeline.LinkFlags

	Rounds    int
	Shards    int
	Grid      int
	CellPairs int
	CellLanes int
	Buckets   int
	TempDir   string

	CPUProfile string
	MemProfile string
}

func (o *linkOptions) addFlags(fs *flag.FlagSet) {
	o.LinkFlags.Bind(fs)
	fs.IntVar(&o.Rounds, "cc-rounds", 10, "large-star/small-star rounds of the connected components (the run fails if they do not converge)")
	fs.IntVar(&o.Grid, "grid", 0, "side of the comparison grid: each record goes to this many cells, each cell holds about 2/GRID of the records (default: cells of about 500,000 records)")
	fs.IntVar(&o.CellPairs, "cell-pairs", beamlink.DefaultCellPairs, "most pairs a cell of the grid decodes and compares at once (more are compared in slices, each a pass over the cell's packets): bounds the comparison's memory whatever the cells' size")
	fs.IntVar(&o.CellLanes, "cell-lanes", -1, "most cells of the grid compared at once (0: no bound; default: on Prism the machine's CPUs, elsewhere no bound)")
	fs.IntVar(&o.Buckets, "buckets", 0, "buckets of the other groupings, each a packet of entries (default: one per 16,384 records, at least 8)")
	fs.IntVar(&o.Shards, "shards", 0, "output shards merged into the links file (default: one per 100,000 records)")
	fs.StringVar(&o.TempDir, "temp-dir", "", "directory for the pipeline's shards, on a filesystem every worker can write (default: beside --out)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile (pprof) of the run to this file (on Prism: of the whole pipeline)")
	fs.StringVar(&o.MemProfile, "memprofile", "", "write a heap profile (pprof) to this file, rewritten as the live heap grows, so that it shows the heap near its peak")
}

func (o *linkOptions) validate(args []string) error {
	if err := o.Check(args, true); err != nil {
		return err
	}
	switch {
	case o.Grid < 0 || o.Buckets < 0:
		return base.Usagef("--grid and --buckets must not be negative")
	case o.Grid > beamlink.MaxGrid:
		return base.Usagef("--grid must be at most %d", beamlink.MaxGrid)
	case o.CellPairs < 0:
		return base.Usagef("--cell-pairs must not be negative")
	case o.CellLanes < -1:
		return base.Usagef("--cell-lanes must not be negative")
	case o.Rounds < 1:
		return base.Usagef("--cc-rounds must be at least 1")
	}
	stem := strings.TrimSuffix(o.Out, ".parquet")
	if o.Report == "" {
		o.Report = stem + ".report.html"
	}
	if o.ReportJSON == "" {
		o.ReportJSON = stem + ".report.json"
	}
	return nil
}

func runLink(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	opts := &linkOptions{}
	fs := newFlagSet("link", stderr)
	opts.addFlags(fs)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := opts.validate(files); err != nil {
		return err
	}
	prof, err := startProfiles(opts.CPUProfile, opts.MemProfile)
	if err != nil {
		return err
	}
	defer prof.Stop()
	return linkFiles(ctx, opts, files, stdout, log)
}

// linkFiles plans the linkage from the files' footers, runs the pipeline
// and writes swd link's outputs.
func linkFiles(ctx context.Context, opts *linkOptions, files []string, stdout io.Writer, log *slog.Logger) error {
	start := time.Now()
	cfg, err := opts.Linkage(0)
	if err != nil {
		return err
	}
	var modelJSON string
	if cfg.Model != nil {
		var b bytes.Buffer
		if err := cfg.Model.Encode(&b); err != nil {
			return err
		}
		modelJSON = b.String()
	}
	plan, err := planLink(files, opts, cfg)
	if err != nil {
		return err
	}
	dir := opts.TempDir
	if dir == "" {
		dir = filepath.Dir(opts.Out)
	}
	tmp, cleanup, err := beamlink.TempDir(ctx, dir)
	if err != nil {
		return fmt.Errorf("temporary directory: %w", err)
	}
	defer cleanup()
	plan.ShardDir = tmp

	p, s := beam.NewPipelineWithRoot()
	beamlink.Build(s, plan, modelJSON)
	limit := limitMemory(runnerName())
	log.Info("running the linkage pipeline", "records", totalRows(plan), "partners", len(plan.Partners),
		"grid", plan.Grid, "memory_limit_mib", limit>>20)
	if err := beamx.Run(ctx, p); err != nil {
		return fmt.Errorf("the linkage pipeline failed: %w", err)
	}
	pipelineDone := time.Since(start)

	var sum beamlink.Summary
	b, err := beamlink.ReadFile(ctx, beamlink.SummaryPath(tmp))
	if err != nil {
		return fmt.Errorf("the pipeline's summary: %w", err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		return fmt.Errorf("the pipeline's summary: %w", err)
	}
	m, err := model.Decode(bytes.NewReader(sum.Model), "the pipeline's model")
	if err != nil {
		return err
	}
	links, err := mergeLinks(ctx, plan, tmp)
	if err != nil {
		return err
	}
	rep := report(plan, m, sum, links, map[string]float64{"pipeline_s": pipelineDone.Seconds(), "total_s": time.Since(start).Seconds()})
	rep.CodeVersion = codeVersion()
	if err := writeLinks(opts, cfg, links, &linkage.Result{Model: m, Report: rep}); err != nil {
		return err
	}
	if opts.SaveModel != "" {
		if err := writeAtomic(opts.SaveModel, m.Encode); err != nil {
			return err
		}
	}
	if err := writeAtomic(opts.ReportJSON, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}); err != nil {
		return err
	}
	if err := writeAtomic(opts.Report, rep.WriteHTML); err != nil {
		return err
	}
	r := rep
	fmt.Fprintf(stdout, "linked %d records into %d persons and %d households (expected precision %.4f, recall %.4f)\n",
		r.Clusters.Records, r.Clusters.Clusters, r.Clusters.Households, r.Expected.Precision, r.Expected.Recall)
	fmt.Fprintf(stdout, "links:  %s\nreport: %s\n", opts.Out, opts.Report)
	return nil
}

func totalRows(p *beamlink.Plan) int {
	n := 0
	for _, pt := range p.Partners {
		n += pt.Rows
	}
	return n
}

// planLink reads the footers, checks that the files can be linked together
// (as swd link does) and derives the plan.
func planLink(files []string, opts *linkOptions, cfg linkage.Config) (*beamlink.Plan, error) {
	ds := make([]*encoding.Dataset, len(files))
	plan := &beamlink.Plan{}
	for i, path := range files {
		meta, layout, groups, err := footer(path)
		if err != nil {
			return nil, err
		}
		abs := path
		if !strings.Contains(path, "://") {
			if abs, err = filepath.Abs(path); err != nil {
				return nil, err
			}
		}
		ds[i] = footerDataset(meta, layout)
		plan.Partners = append(plan.Partners, beamlink.Partner{Name: meta.Partner, Path: abs, Rows: meta.Rows, Groups: groups})
	}
	if err := linkage.CheckCompatible(ds); err != nil {
		return nil, err
	}
	if opts.District != "" {
		d, err := pipeline.LoadDistrict(opts.District)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, pt := range plan.Partners {
			names = append(names, pt.Name)
		}
		if err := d.CheckPartners(names); err != nil {
			return nil, err
		}
	}
	if len(ds) > 64 {
		return nil, base.Usagef("at most 64 partners, not %d", len(ds))
	}
	cmps, err := linkage.Comparisons(ds[0], cfg)
	if err != nil {
		return nil, err
	}
	// The footers hold no records: the bands' width follows the files'
	// row counts, as swd link's follows the records it reads.
	rows := 0
	for _, p := range plan.Partners {
		rows += p.Rows
	}
	bc := linkage.DefaultBlocking(ds[0], cfg.Seed, rows)
	if plan.Passes, err = beamlink.PassesOf(bc); err != nil {
		return nil, err
	}
	plan.Cmps = cmps
	plan.Jobs = linkage.Jobs(len(ds), cfg.NoDedup)
	plan.MaxBlockPairs = blocking.DefaultMaxBlockPairs
	plan.DiceMaxPairs, plan.DiceThreshold, plan.DiceTopK, plan.DiceChunk = cfg.DiceMaxPairs, linkage.DefaultDiceThreshold, linkage.DefaultDiceTopK, beamlink.DiceChunk
	plan.Threshold, plan.VetoWeight, plan.NoTF, plan.Greedy = cfg.Threshold, cfg.VetoWeight, cfg.NoTF, opts.Assignment == "greedy"
	plan.USamples, plan.Seed = cfg.USamples, cfg.Seed
	plan.Clustering = cfg.Clustering
	plan.HouseholdAttr = cfg.HouseholdAttr
	if !cfg.NoHouseholdMinWeight {
		plan.HouseholdMinWeight = cfg.HouseholdMinWeight
	}
	plan.NoCoResidence = cfg.NoCoResidence
	plan.Rounds = opts.Rounds
	plan.Grid, plan.Buckets, plan.CellPairs, plan.CellLanes = opts.Grid, opts.Buckets, opts.CellPairs, opts.CellLanes
	if plan.CellLanes < 0 {
		plan.CellLanes = 0
		if r := runnerName(); r == "prism" || r == "" {
			plan.CellLanes = runtime.NumCPU()
		}
	}
	if plan.Grid <= 0 {
		plan.Grid = beamlink.DefaultGrid(totalRows(plan))
	}
	if plan.Buckets <= 0 {
		plan.Buckets = beamlink.DefaultBuckets(totalRows(plan))
	}
	plan.Shards = opts.Shards
	if plan.Shards <= 0 {
		plan.Shards = max(1, totalRows(plan)/100_000)
	}
	return plan, nil
}

// footer reads the metadata, layout and row groups of an encoded file
// (local, or copied from any Beam filesystem).
func footer(path string) (encoding.Meta, encoding.Layout, []int64, error) {
	local, done, err := beamlink.Localize(context.Background(), path)
	if err != nil {
		return encoding.Meta{}, encoding.Layout{}, nil, err
	}
	defer done()
	meta, layout, err := encfile.ReadMeta(local)
	if err != nil {
		return meta, layout, nil, err
	}
	groups, err := encfile.RowGroups(local)
	return meta, layout, groups, err
}

// footerDataset is an empty Dataset with a file's metadata and layout, for
// the checks and defaults that read only those.
func footerDataset(meta encoding.Meta, l encoding.Layout) *encoding.Dataset {
	d := &encoding.Dataset{Meta: meta, CLK: bitvec.Arena{Words: bitvec.WordsFor(l.CLKBits)}}
	for _, f := range l.Fields {
		d.Fields = append(d.Fields, encoding.FieldColumn{FieldSpec: f})
	}
	for _, k := range l.BlockKeys {
		d.BlockKeys = append(d.BlockKeys, encoding.StringColumn{Name: k})
	}
	for _, a := range l.Attrs {
		d.Attrs = append(d.Attrs, encoding.StringColumn{Name: a})
	}
	return d
}

// mergeLinks merges the pipeline's shards into the links, in swd link's
// order and numbering.
func mergeLinks(ctx context.Context, plan *beamlink.Plan, tmp string) ([]cluster.Link, error) {
	var links []cluster.Link
	if err := beamlink.MergeShards(ctx, tmp, plan.Shards, func(l cluster.Link) error {
		links = append(links, l)
		return nil
	}); err != nil {
		return nil, err
	}
	return links, nil
}

// writeLinks writes the links file, with the run description swd link
// stores, and the CSV.
func writeLinks(opts *linkOptions, cfg linkage.Config, links []cluster.Link, res *linkage.Result) error {
	run, err := pipeline.NewRun(cfg, res, codeVersion())
	if err != nil {
		return err
	}
	run.Runner = runnerName()
	if err := linksfile.Write(opts.Out, links, run); err != nil {
		return err
	}
	if opts.CSV != "" {
		return linksfile.WriteCSVFile(opts.CSV, links)
	}
	return nil
}

func clusterStats(sum beamlink.Summary, links []cluster.Link) cluster.Stats {
	c := sum.Clusters
	st := cluster.Stats{Records: len(links), Edges: int(c.Edges), Assigned: int(c.Assigned), Merged: int(c.Merged),
		Refused: int(c.Refused), Sparse: int(c.Sparse), Vetoed: int(c.Vetoed), WeakSplit: int(c.WeakSplit), CoResident: int(c.CoResident)}
	persons, households := map[int64]bool{}, map[int64]bool{}
	for _, l := range links {
		persons[l.ClusterID], households[l.HouseholdID] = true, true
	}
	st.Clusters, st.Households = len(persons), len(households)
	return st
}

// report assembles swd link's report from the pipeline's figures.
func report(plan *beamlink.Plan, m *model.Model, sum beamlink.Summary, links []cluster.Link, timings map[string]float64) *linkage.Report {
	parts := linkage.ReportParts{Threshold: plan.Threshold, Jobs: plan.Jobs, Model: m, Links: links,
		Stats: clusterStats(sum, links), Timings: timings}
	for _, pt := range plan.Partners {
		parts.Partners = append(parts.Partners, pt.Name)
		parts.Records = append(parts.Records, pt.Rows)
	}
	for k := range plan.Jobs {
		var bs blocking.Stats
		for pass, ps := range plan.Passes {
			st := sum.Blocking[fmt.Sprintf("%d/%d", k, pass)]
			bs.Passes = append(bs.Passes, blocking.PassStats{Name: ps.Pass().Name(), Blocks: int(st.Blocks), Pairs: st.Pairs,
				SkippedBlocks: int(st.SkippedBlocks), SkippedPairs: st.SkippedPairs})
		}
		sc := sum.Scores[k]
		var cands int64
		for _, n := range sc.Pairs {
			cands += int64(n)
		}
		bs.Candidates = sum.Blocked[k]
		parts.Candidates = append(parts.Candidates, cands)
		parts.Blocking = append(parts.Blocking, bs)
		parts.Scores = append(parts.Scores, linkage.JobScores{Pairs: sc.Pairs, Expected: sc.Expected, Accepted: sc.Accepted, SumP: sc.SumP, SumAcc: sc.SumAcc})
	}
	return linkage.AssembleReport(parts)
}

func runnerName() string {
	if f := flag.Lookup("runner"); f != nil && f.Value.String() != "" {
		return f.Value.String()
	}
	return "prism"
}

func codeVersion() string { return "swd-beam (devel)" }

// writeAtomic writes a file through fn and renames it into place only when
// fn succeeded.
func writeAtomic(path string, fn func(io.Writer) error) error {
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := fn(f.File); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Commit()
}
