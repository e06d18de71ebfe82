package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/rusage"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/pipeline"
)

// linkGCPercent is the collector's target of swd link (unless GOGC is set):
// the heap may grow by a quarter of the live data between collections, or
// by less for large inputs (linkGCPercentFor).
const linkGCPercent = 25

// stateGCPercent is the collector's target of swd link --state (unless GOGC
// is set) for small inputs: the state's records, links and ids are a heap
// of small objects full of pointers, which each collection marks again, so
// the incremental run keeps Go's default. At 25 the collector took 0.5 s of
// the 3.4 s of CPU of an incremental month at 20,000 households, for 30 MB
// less peak RSS.
const stateGCPercent = 100

// Below stateGCPercent for large inputs (stateGCPercentFor): the heap grows
// by at most about stateGCHeadroom between collections, but by no less than
// stateMinGCPercent of the live data. At 400,000 households (0.40 GB of
// snapshots, 1.4 GiB live heap at its largest) this target (36) took the
// peak RSS from 2,517 to 1,802 MiB (medians) for 9% more CPU than GOGC
// 100 (docs/incremental.md); GOGC 25 gave 1,712 MiB in one run.
const (
	stateGCHeadroom    = 512 << 20
	stateMinGCPercent  = 33
	stateHeapPerInByte = 3.7 // live heap per byte of the snapshots' files (synth schema, 400,000 households)
)

// stateGCPercentFor is the collector's target of swd link --state for
// snapshots of inBytes bytes in all.
func stateGCPercentFor(inBytes int64) int {
	if inBytes <= 0 {
		return stateGCPercent
	}
	p := int(100 * stateGCHeadroom / (stateHeapPerInByte * float64(inBytes)))
	return max(stateMinGCPercent, min(stateGCPercent, p))
}

// Below linkGCPercent for large inputs: the heap grows by at most about
// linkGCHeadroom between collections, but by no less than linkMinGCPercent
// of the live data.
const (
	linkGCHeadroom    = 1 << 30
	linkMinGCPercent  = 10
	linkHeapPerInByte = 1.5 // live heap per byte of encoded input (synth schema: 0.72 GB a million records for 0.46 GB of files)
)

// linkGCPercentFor is the collector's target for encoded inputs of
// inBytes bytes in all: linkGCPercent up to about 2.9 GB of files, then
// less, so that at 10 million records (4.6 GB of files, a live heap near
// 7 GB) the heap may grow by about 1 GiB rather than 1.8 GB between
// collections. The encodings are nearly pointer-free, so collecting more
// often costs little.
func linkGCPercentFor(inBytes int64) int {
	if inBytes <= 0 {
		return linkGCPercent
	}
	p := int(100 * linkGCHeadroom / (linkHeapPerInByte * float64(inBytes)))
	return max(linkMinGCPercent, min(linkGCPercent, p))
}

// inputBytes is the size of the files named in paths (those that can be
// read; 0 for others).
func inputBytes(paths []string) int64 {
	var n int64
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil {
			n += st.Size()
		}
	}
	return n
}

// LinkOptions are the flags of swd link: those it shares with swd-beam
// link (pipeline.LinkFlags) and its own.
type LinkOptions struct {
	pipeline.LinkFlags
	MemoryLimit string
	Plan        bool
	Seal        SealOptions
	State       StateLinkOptions
}

// AddFlags binds the options to fs.
func (o *LinkOptions) AddFlags(fs *pflag.FlagSet) {
	o.LinkFlags.Bind(fs)
	fs.Lookup("district").Usage += "; trust its partners' public keys for sealed inputs (without --trust)"
	fs.StringVar(&o.MemoryLimit, "memory-limit", "75%", "memory the run aims to stay within: bytes with an optional unit (500MB, 8GiB) or a percentage of the machine's memory; candidates that do not fit are spilled to disk beside --out; 0: no limit")
	fs.BoolVar(&o.Plan, "plan", false, "only estimate the candidate pairs, peak memory and time from a sample of the files, and print them (nothing is written; --out not needed)")
	o.Seal.AddFlags(fs)
	o.State.AddFlags(fs)
}

func (o *LinkOptions) validate(args []string) error {
	if err := o.Check(args, !o.Plan); err != nil {
		return err
	}
	if _, err := parseMemoryLimit(o.MemoryLimit, rusage.TotalMemory()); err != nil {
		return err
	}
	return o.State.validate(o)
}

func newLinkCommand(g *GlobalOptions) *cobra.Command {
	opts := &LinkOptions{}
	cmd := &cobra.Command{
		Use:   "link --out LINKS.parquet P1.swd.parquet [P2.swd.parquet ...]",
		Short: "Link the partners' encoded files into persons and households",
		Long: `Link the encoded files of the partners (one file: find its duplicates).

The files must share the schema fingerprint and the key check value; if one
differs, the error names the partner. Candidate pairs come from blocking
(the keyed blocking keys of the schema and Hamming LSH on the CLKs); a
Fellegi–Sunter model is fitted by EM on the agreement patterns of the
candidates (u from random pairs), each candidate gets a posterior match
probability, and links at or above --threshold become one-to-one links between
partners, multi-party person clusters and households (with each partner's own
household ids).

Sealed inputs (swd encode --seal-to) are opened with --key and checked
against the partners' public keys in --trust: a tampered, truncated or
mis-addressed file, an unknown signer, or a file signed by another partner
than the one it claims is refused (exit 5).

With --district, an encoded file of a partner the district file does not
name is refused (exit status 3), and the public keys it lists are trusted
for sealed inputs unless --trust is given.

Writes the links file (cluster_id, household_id, partner, record_id,
match_probability; every input record appears) and a linkage report in HTML
and JSON with the model, the match-weight histogram and the expected
precision and recall. They appear together or not at all, as a set (see
docs/format.md, "Output sets"); an output in a directory that does not
exist is a usage error (exit status 2).

With --state DIR, the files are every partner's full snapshot of one period
(--period) and are linked against the linkage state in DIR (created by the
first run): only new or changed records are searched, against everything;
records absent from the snapshot are closed; the state's model is reused
unless --refit; persons and households keep their ids (cluster_id,
household_id) from period to period, and the links file adds the columns
period and first_period. The state records every open, close, merge and
split (swd state history). See docs/incremental.md.

` + exitStatusHelp,
		Args:    cobra.ArbitraryArgs,
		PreRunE: func(_ *cobra.Command, args []string) error { return opts.validate(args) },
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLink(cmd.Context(), opts, g, args)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runLink(ctx context.Context, opts *LinkOptions, g *GlobalOptions, args []string) error {
	district, err := loadDistrictFlag(opts.District)
	if err != nil {
		return err
	}
	cfg := pipeline.LinkConfig{
		District: district,
		Inputs:   args, Open: opts.Seal.config(), Out: opts.Out, Report: opts.Report, ReportJSON: opts.ReportJSON,
		CSV: opts.CSV, SaveModel: opts.SaveModel, Logger: g.Logger,
	}
	if cfg.Linkage, err = opts.Linkage(g.Workers); err != nil {
		return err
	}
	limit, err := parseMemoryLimit(opts.MemoryLimit, rusage.TotalMemory())
	if err != nil {
		return err
	}
	// Not also the runtime's soft limit (debug.SetMemoryLimit): below the
	// encodings' size the collector would run without pause.
	cfg.Linkage.MemoryLimit = limit
	if os.Getenv("GOGC") == "" && opts.State.Dir == "" {
		// The encodings are one large, long-lived and nearly pointer-free
		// heap: the default (100) lets the heap grow to twice it before a
		// collection, which is most of the peak RSS; marking it again costs
		// little.
		debug.SetGCPercent(linkGCPercentFor(inputBytes(args)))
	}
	if opts.State.Dir != "" {
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(stateGCPercentFor(inputBytes(args)))
		}
		return runLinkState(ctx, opts, g, cfg)
	}
	bars := newStageBars(g)
	cfg.Progress = bars.update
	if opts.Plan {
		p, err := pipeline.PlanLink(ctx, cfg)
		bars.finish()
		if err != nil {
			return err
		}
		printPlan(g, p)
		return nil
	}
	res, err := pipeline.Link(ctx, cfg)
	bars.finish()
	if err != nil || g.Quiet {
		return err
	}
	c, e := res.Run.Clusters, res.Run.Expected
	fmt.Fprintf(g.Stdout, "linked %s into %s and %s (expected precision %.4f, recall %.4f)\n",
		plural(c.Records, "record", "records"), plural(c.Clusters, "person", "persons"), plural(c.Households, "household", "households"), e.Precision, e.Recall)
	if he := res.Run.HouseholdErrors; he != nil {
		fmt.Fprintf(g.Stdout, "estimated household splits %.2f%%, merges %.2f%% (the DP unit is the linked household; see the report)\n",
			100*he.SplitRate, 100*he.MergeRate)
	}
	fmt.Fprintf(g.Stdout, "links:  %s\nreport: %s\n", res.Out, res.Report)
	fmt.Fprintf(g.Stdout, "next: read the report, then: %s\n", publishHint(opts, res.Out, args))
	return nil
}

// parseMemoryLimit reads --memory-limit: a number of bytes with an optional
// unit (k, M, G, T with or without B, binary with iB), or a percentage of
// total (the machine's memory; when unknown, a percentage means no limit).
// "0" means no limit.
func parseMemoryLimit(s string, total int64) (int64, error) {
	bad := base.Usagef("--memory-limit must be bytes with an optional unit (500MB, 8GiB) or a percentage (75%%), not %q", s)
	t := strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(t, "%"); ok {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v <= 0 || v > 100 {
			return 0, bad
		}
		return int64(v / 100 * float64(total)), nil
	}
	units := []struct {
		suffix string
		mult   float64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"B", 1},
	}
	mult := 1.0
	for _, u := range units {
		if v, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 {
		return 0, bad
	}
	return int64(v * mult), nil
}

// printPlan prints swd link --plan's estimate (also with --quiet: it is
// the command's output).
func printPlan(g *GlobalOptions, p *linkage.Plan) {
	w := g.Stdout
	fmt.Fprintf(w, "plan for %d records (estimated from a %.1f%% sample of each file, %.1f s):\n", p.Records, 100*p.SampleShare, p.SampleSeconds)
	fmt.Fprintf(w, "  %-24s %14s %14s\n", "partner pair", "sampled pairs", "est. pairs")
	for _, j := range p.Jobs {
		fmt.Fprintf(w, "  %-24s %14d %14.0f\n", j.A+" × "+j.B, j.Sampled, j.Candidates)
	}
	fmt.Fprintf(w, "candidate pairs  %.3g\n", p.Candidates)
	fmt.Fprintf(w, "datasets memory  %.2f GB\n", float64(p.DatasetBytes)/1e9)
	fmt.Fprintf(w, "peak memory      %.2f GB (estimate)\n", float64(p.PeakBytes)/1e9)
	fmt.Fprintf(w, "time             %.0f s (estimate, on this machine now: %.0f s growing with the records, of which blocking %.0f s; %.0f s with the pairs)\n",
		p.Seconds, p.RecordSeconds, p.BlockingSeconds, p.PairSeconds)
}

// publishHint is the swd publish command that follows this link run, with
// placeholders for what only the user knows.
func publishHint(opts *LinkOptions, links string, inputs []string) string {
	district := "--district DISTRICT.yaml"
	if opts.District != "" {
		district = "--district " + opts.District
	}
	cmd := fmt.Sprintf("swd publish --links %s %s --ledger LEDGER --epsilon E --out RELEASE_DIR", links, district)
	if opts.Seal.Key != "" {
		cmd += " --key " + opts.Seal.Key
	}
	if len(inputs) > 3 {
		return cmd + " " + strings.Join(inputs[:2], " ") + " … (the same encoded files)"
	}
	return cmd + " " + strings.Join(inputs, " ")
}
