package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/taxonomy"
)

// LinkConfig configures Link: encoded files into a links file and a
// linkage report.
type LinkConfig struct {
	// Inputs are the partners' encoded files (one file: de-duplication).
	Inputs []string
	// Open opens the sealed ones among them.
	Open OpenConfig
	// Out is the links file to write (Parquet).
	Out string
	// Report and ReportJSON are the linkage report in HTML and JSON; empty:
	// Out without its .parquet extension, with .report.html and
	// .report.json.
	Report     string
	ReportJSON string
	// CSV, when set, also receives the links as CSV.
	CSV string
	// SaveModel, when set, receives the model (JSON) for reuse as
	// Linkage.Model (model.ReadFile).
	SaveModel string
	// Linkage holds the linkage parameters (blocking, model, threshold,
	// assignment, memory limit, …); its Logger and Progress are this
	// config's, and its SpillDir defaults to Out's directory.
	Linkage linkage.Config
	// District, when set, is the district file (LoadDistrict): encoded
	// files of partners it does not name are refused, and, without
	// Open.Trust, its partners' public keys are the trusted keys.
	District *taxonomy.District
	// CodeVersion is recorded in the links file and the report; empty:
	// CodeVersion().
	CodeVersion string
	// Logger receives progress and summaries (never personal data); nil:
	// none.
	Logger *slog.Logger
	// Progress is told how far reading and each linkage stage have come;
	// nil: nothing.
	Progress ProgressFunc
}

// LinkResult describes a finished Link: the files written, the run
// description stored in the links file, and the linkage in memory.
type LinkResult struct {
	Out        string `json:"out"`
	Report     string `json:"report"`
	ReportJSON string `json:"report_json"`
	CSV        string `json:"csv,omitempty"`
	SaveModel  string `json:"saved_model,omitempty"`
	// Run is the description stored in the links file: parameters,
	// model, partners, cluster counts, expected precision and recall.
	Run *linksfile.Run `json:"run"`
	// Recovered is true when a previous run on the same output had been
	// killed while renaming its files into place, and this run completed
	// that set first (see atomicfile.Set).
	Recovered bool `json:"recovered_interrupted_run,omitempty"`
	// Linkage holds the links, the model and the full report.
	Linkage *linkage.Result `json:"-"`
}

// Link links the encoded files as swd link does: blocking, a
// Fellegi–Sunter model fitted by EM (or cfg.Linkage.Model applied),
// one-to-one links between partners, multi-party persons and households.
// It writes the links file with its run description, the optional CSV
// and model, and the report in JSON and HTML, each atomically. Files
// encoded with another schema or secret are refused with an error that
// names the partner.
func Link(ctx context.Context, cfg LinkConfig) (*LinkResult, error) {
	cfg.setDefaults()
	set, recovered, err := newOutputSet(cfg.Out, cfg.Logger)
	if err != nil {
		return nil, err
	}
	defer set.Abort()
	files, err := stageLinkOutputs(set, &cfg)
	if err != nil {
		return nil, err
	}
	open := cfg.Open
	if open.District == nil {
		open.District = cfg.District
	}
	in, err := OpenInputs(cfg.Inputs, open)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	if err := checkDistrictPartners(cfg.District, in); err != nil {
		return nil, err
	}
	ds, err := in.ReadAll(ctx, cfg.Logger, cfg.Progress)
	if err != nil {
		return nil, err
	}
	lc := cfg.Linkage
	lc.Logger, lc.Progress = cfg.Logger, cfg.Progress
	lc.ReleaseBlockKeys = true // ds is not used after Link
	if lc.SpillDir == "" {
		lc.SpillDir = filepath.Dir(cfg.Out) // spill beside the output, removed after
	}
	res, err := linkage.Link(ctx, ds, lc)
	if err != nil {
		return nil, err
	}
	// The encodings are not read again. Until the next collection the
	// heap's goal still counts them (5.7 GB at 10 M records), so the
	// outputs would be written in new memory above them: collect now, and
	// the writing reuses theirs.
	clear(ds)
	runtime.GC()
	res.Report.CodeVersion = cfg.CodeVersion
	run, err := NewRun(lc, res, cfg.CodeVersion)
	if err != nil {
		return nil, err
	}
	if err := writeLinkOutputs(files, res, run); err != nil {
		return nil, err
	}
	if err := set.Commit(); err != nil {
		return nil, err
	}
	return &LinkResult{Out: cfg.Out, Report: cfg.Report, ReportJSON: cfg.ReportJSON, CSV: cfg.CSV,
		SaveModel: cfg.SaveModel, Run: run, Recovered: recovered, Linkage: res}, nil
}

// stageLinkOutputs stages the outputs of cfg in set (the links file is the
// primary, renamed last), with the same names as cfg: the staging names.
func stageLinkOutputs(set *atomicfile.Set, cfg *LinkConfig) (LinkConfig, error) {
	files := *cfg
	for _, f := range []*string{&files.Report, &files.ReportJSON, &files.CSV, &files.SaveModel, &files.Out} {
		if *f == "" {
			continue
		}
		st, err := set.Stage(*f)
		if err != nil {
			return files, outputError(err)
		}
		*f = st
	}
	return files, nil
}

func (c *LinkConfig) setDefaults() {
	stem := strings.TrimSuffix(c.Out, ".parquet")
	if c.Report == "" {
		c.Report = stem + ".report.html"
	}
	if c.ReportJSON == "" {
		c.ReportJSON = stem + ".report.json"
	}
	if c.CodeVersion == "" {
		c.CodeVersion = CodeVersion()
	}
	c.Logger = orDiscard(c.Logger)
}

// NewRun is the run description of a linkage made with cfg that gave res,
// as Link stores it in the links file (another runner, such as swd-beam,
// stores the same description).
func NewRun(cfg linkage.Config, res *linkage.Result, codeVersion string) (*linksfile.Run, error) {
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return nil, err
	}
	assignment := "optimal"
	if cfg.Assignment == cluster.AssignGreedy {
		assignment = "greedy"
	}
	rep := res.Report
	run := &linksfile.Run{CodeVersion: codeVersion, Model: res.Model, Clusters: rep.Clusters,
		Expected: linksfile.Expected{Precision: rep.Expected.Precision, Recall: rep.Expected.Recall},
		Params: linksfile.Params{Threshold: cfg.Threshold, Assignment: assignment, ModelGiven: cfg.Model != nil,
			NoTF: cfg.NoTF, NoDedup: cfg.NoDedup, HouseholdAttr: cfg.HouseholdAttr, USamples: cfg.USamples,
			FixedU: cfg.FixedU, Seed: cfg.Seed, VetoWeight: cfg.VetoWeight, NoVeto: cfg.NoVeto,
			DiceMaxPairs: cfg.DiceMaxPairs, DiceThreshold: cfg.DiceThreshold, DiceTopK: cfg.DiceTopK,
			TF: cfg.TF, Clustering: cfg.Clustering, HouseholdMinWeight: cfg.HouseholdMinWeight,
			NoCoResidence: cfg.NoCoResidence}}
	for _, p := range rep.Partners {
		run.Partners = append(run.Partners, p.Partner)
	}
	if he := rep.HouseholdErrors; he.Households > 0 {
		run.HouseholdErrors = &linksfile.HouseholdErrors{Households: he.Households, ExpectedSplits: he.ExpectedSplits,
			ExpectedMerges: he.ExpectedMerges, SplitRate: he.SplitRate, MergeRate: he.MergeRate}
	}
	return run, nil
}

// writeLinkOutputs writes the links file, then the optional CSV and model,
// then the reports, under the names cfg gives (their staging names).
func writeLinkOutputs(cfg LinkConfig, res *linkage.Result, run *linksfile.Run) error {
	if err := linksfile.Write(cfg.Out, res.Links, run); err != nil {
		return err
	}
	if cfg.CSV != "" {
		if err := linksfile.WriteCSVFile(cfg.CSV, res.Links); err != nil {
			return err
		}
	}
	if cfg.SaveModel != "" {
		if err := writeAtomic(cfg.SaveModel, res.Model.Encode); err != nil {
			return err
		}
	}
	if err := writeAtomic(cfg.ReportJSON, func(w io.Writer) error { return writeIndented(w, res.Report) }); err != nil {
		return err
	}
	return writeAtomic(cfg.Report, res.Report.WriteHTML)
}

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

// writeIndented writes v as indented JSON, as swd prints every --json
// output.
func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// PlanLink reads the inputs of cfg and estimates, from a sample of their
// records, the candidate pairs, peak memory and time of Link with cfg
// (linkage.PlanLink); nothing is written.
func PlanLink(ctx context.Context, cfg LinkConfig) (*linkage.Plan, error) {
	in, err := OpenInputs(cfg.Inputs, cfg.Open)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	ds, err := in.ReadAll(ctx, orDiscard(cfg.Logger), cfg.Progress)
	if err != nil {
		return nil, err
	}
	lc := cfg.Linkage
	lc.Logger = orDiscard(cfg.Logger)
	return linkage.PlanLink(ctx, ds, lc, 0)
}
