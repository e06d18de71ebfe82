package pipeline

import (
	"errors"
	"flag"
	"io"
	"testing"

	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
)

// LinkFlags binds the same flags, with the same defaults, to the standard
// library's flag set (swd-beam) and to pflag's (swd), and both parse the
// same command line into the same linkage configuration.
func TestLinkFlagsBothFlagSets(t *testing.T) {
	args := []string{"--out", "l.parquet", "--tf", "surname,given_name", "--tf", "birthplace", "--threshold", "0.8",
		"--assignment", "greedy", "--household-min-weight", "6", "--no-dedup", "--no-co-residence"}
	var std, pf LinkFlags
	fs := flag.NewFlagSet("link", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	std.Bind(fs)
	pfs := pflag.NewFlagSet("link", pflag.ContinueOnError)
	pf.Bind(pfs)
	if std.Threshold != DefaultLinkFlags().Threshold || pf.Clustering != DefaultLinkFlags().Clustering ||
		std.HouseholdMin != linkage.DefaultHouseholdMinWeight || pf.HouseholdMin != linkage.DefaultHouseholdMinWeight || std.NoCoResidence {
		t.Fatalf("defaults not bound: %+v", std)
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	if err := pfs.Parse(args); err != nil {
		t.Fatal(err)
	}
	for _, f := range []*LinkFlags{&std, &pf} {
		if err := f.Check([]string{"a.swd.parquet"}, true); err != nil {
			t.Fatal(err)
		}
		cfg, err := f.Linkage(3)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"surname", "given_name", "birthplace"}
		if len(cfg.TF) != len(want) {
			t.Fatalf("TF %q, want %q", cfg.TF, want)
		}
		for k := range want {
			if cfg.TF[k] != want[k] {
				t.Fatalf("TF %q, want %q", cfg.TF, want)
			}
		}
		if cfg.Workers != 3 || cfg.Threshold != 0.8 || cfg.Assignment != cluster.AssignGreedy || cfg.HouseholdMinWeight != 6 || !cfg.NoDedup || !cfg.NoCoResidence ||
			cfg.Clustering != linkage.ClusteringContested || cfg.Model != nil {
			t.Fatalf("config %+v", cfg)
		}
	}
}

func TestLinkFlagsCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*LinkFlags)
		inputs int
		ok     bool
	}{
		{"defaults", func(*LinkFlags) {}, 1, true},
		{"no inputs", func(*LinkFlags) {}, 0, false},
		{"no out", func(f *LinkFlags) { f.Out = "" }, 1, false},
		{"threshold 1", func(f *LinkFlags) { f.Threshold = 1 }, 1, false},
		{"assignment", func(f *LinkFlags) { f.Assignment = "best" }, 1, false},
		{"u samples", func(f *LinkFlags) { f.USamples = 10 }, 1, false},
		{"clustering", func(f *LinkFlags) { f.Clustering = "louvain" }, 1, false},
		{"household weight", func(f *LinkFlags) { f.HouseholdMin = -1 }, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := DefaultLinkFlags()
			f.Out = "l.parquet"
			tc.edit(&f)
			err := f.Check(make([]string, tc.inputs), true)
			if (err == nil) != tc.ok {
				t.Fatalf("Check: %v, want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, base.ErrUsage) {
				t.Fatalf("Check: %v is not a usage error", err)
			}
		})
	}
}
