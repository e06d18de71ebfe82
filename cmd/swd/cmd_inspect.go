package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/pipeline"
)

// InspectOptions are the flags of swd inspect.
type InspectOptions struct {
	JSON bool
}

// AddFlags binds the options to fs.
func (o *InspectOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.JSON, "json", false, "print a JSON document instead of text")
}

func newInspectCommand(g *GlobalOptions) *cobra.Command {
	opts := &InspectOptions{}
	cmd := &cobra.Command{
		Use:   "inspect FILE.swd.parquet",
		Short: "Show an encoded file's metadata and filter statistics, without personal data",
		Long: `Show what an encoded file holds without revealing anyone in it: its metadata
(partner, format version, schema fingerprint, key check value, counts,
creation time, code version), the popcount distribution of the CLK and of
each field filter (min, quartiles, max, mean), the share of records where
each field is missing, and the fill rates of blocking keys and attributes.
Use it to check a file before sending it, or to see why a partner's file
links poorly (a field that is always empty, saturated filters).

` + exitStatusHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runInspect(cmd.Context(), opts, g, args) },
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runInspect(ctx context.Context, opts *InspectOptions, g *GlobalOptions, args []string) error {
	in, err := pipeline.Inspect(ctx, args[0])
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(g.Stdout, in)
	}
	printInspection(g.Stdout, in)
	return nil
}

func printInspection(w io.Writer, in *pipeline.Inspection) {
	s := in.Summary
	fmt.Fprintf(w, "%s\n", in.File)
	fmt.Fprintf(w, "  partner            %s\n", in.Partner)
	fmt.Fprintf(w, "  format version     %d\n", in.FormatVersion)
	fmt.Fprintf(w, "  rows               %d (metadata: %d encoded, %d rejected)\n", s.Records, in.Rows, in.Rejected)
	fmt.Fprintf(w, "  created            %s by %s\n", in.Created.Format(time.RFC3339), in.CodeVersion)
	fmt.Fprintf(w, "  schema fingerprint %s\n", in.SchemaFingerprint)
	fmt.Fprintf(w, "  key check value    %s\n", in.KeyCheck)
	fmt.Fprintf(w, "  pseudonymised ids  %v\n", in.Pseudonymised)
	fmt.Fprintf(w, "\n  popcounts            bits    min     q1 median     q3    max    mean  empty\n")
	row := func(name string, f encoding.FilterSummary, empty string) {
		fmt.Fprintf(w, "  %-20s %5d %6d %6d %6d %6d %6d %7.1f  %s\n", name, f.Bits, f.Min, f.Q1, f.Median, f.Q3, f.Max, f.Mean, empty)
	}
	row("clk", s.CLK, "")
	for _, f := range s.Fields {
		row(f.Name, f.Popcount, fmt.Sprintf("%5.1f%%", 100*f.EmptyShare))
	}
	if len(s.BlockKeys) > 0 {
		fmt.Fprintf(w, "\n  blocking keys        filled\n")
		for _, b := range s.BlockKeys {
			fmt.Fprintf(w, "  %-20s %5.1f%%\n", b.Name, 100*b.FillRate)
		}
	}
	if len(s.Attrs) > 0 {
		fmt.Fprintf(w, "\n  attributes           filled  distinct\n")
		for _, a := range s.Attrs {
			fmt.Fprintf(w, "  %-20s %5.1f%%  %8d\n", a.Name, 100*a.FillRate, a.Distinct)
		}
	}
}
