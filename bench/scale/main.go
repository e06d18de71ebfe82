//go:build unix

// Command scale generates synthetic partner exports (swd synth, medium
// corruption, five partners), encodes them (swd encode) and links them
// (swd link) at each requested size, and prints one JSON line per size with
// the link's wall time, CPU time and peak RSS, measured by the operating
// system for the whole swd link process:
//
//	go build -o /tmp/swd ./cmd/swd
//	go run ./bench/scale -swd /tmp/swd -records 1000000,2000000,5000000,10000000 -svg docs/img/performance-scale.svg
//
// With -from, no size is run: the JSON lines of earlier runs (one file,
// possibly the output of several invocations) are read and only the plot is
// drawn:
//
//	go run ./bench/scale -from docs/performance-scale.jsonl -svg docs/img/performance-scale.svg
//
// Generated files live under -dir (one subdirectory per size) and are
// removed after each size unless -keep. Run it alone on the machine: the
// figures are the whole process's. The measurement is bench.RunScale;
// this command only binds flags. See docs/performance.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/welfare-district/swd/bench"
)

func main() {
	cfg := bench.ScaleConfig{}
	flag.StringVar(&cfg.Swd, "swd", "swd", "the swd binary to measure")
	flag.StringVar(&cfg.Schema, "schema", "docs/examples/synth/schema.yaml", "encoding schema of the synthetic exports")
	flag.StringVar(&cfg.Dir, "dir", os.TempDir(), "work directory for the generated files")
	records := flag.String("records", "1000000,2000000,5000000,10000000", "record counts, comma-separated")
	flag.StringVar(&cfg.Corruption, "corruption", "medium", "swd synth --corruption")
	flag.Uint64Var(&cfg.Seed, "seed", 7, "swd synth --seed")
	linkArgs := flag.String("link-args", "", "extra arguments of swd link, space-separated")
	flag.BoolVar(&cfg.Keep, "keep", false, "keep the generated and encoded files")
	svg := flag.String("svg", "", "also draw time and memory against records to this SVG file")
	from := flag.String("from", "", "run nothing: read the JSON lines of earlier runs from this file and draw -svg")
	flag.Parse()
	if *from != "" {
		if err := plotFrom(*from, *svg); err != nil {
			fmt.Fprintln(os.Stderr, "scale:", err)
			os.Exit(1)
		}
		return
	}
	for _, s := range strings.Split(*records, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1000 {
			fmt.Fprintf(os.Stderr, "scale: -records: %q is not a record count of at least 1000\n", s)
			os.Exit(2)
		}
		cfg.Records = append(cfg.Records, n)
	}
	cfg.LinkArgs = strings.Fields(*linkArgs)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var all []bench.ScaleResult
	enc := json.NewEncoder(os.Stdout)
	err := bench.RunScale(ctx, cfg, os.Stderr, func(r bench.ScaleResult) error {
		all = append(all, r)
		return enc.Encode(r)
	})
	if err == nil && *svg != "" {
		err = writeSVG(*svg, all)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

// plotFrom draws the SVG of the JSON lines in the file from.
func plotFrom(from, svg string) error {
	if svg == "" {
		return fmt.Errorf("-from needs -svg")
	}
	f, err := os.Open(from)
	if err != nil {
		return err
	}
	defer f.Close()
	var all []bench.ScaleResult
	dec := json.NewDecoder(f)
	for {
		var r bench.ScaleResult
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("%s: result %d: %w", from, len(all)+1, err)
		}
		all = append(all, r)
	}
	if len(all) == 0 {
		return fmt.Errorf("%s: no results", from)
	}
	return writeSVG(svg, all)
}

// writeSVG writes the plot of rs to the file path.
func writeSVG(path string, rs []bench.ScaleResult) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = bench.WriteScaleSVG(f, rs)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
