package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/eval"
)

func writeEvalFixture(t *testing.T) (links, truth string) {
	t.Helper()
	dir := t.TempDir()
	links = filepath.Join(dir, "links.parquet")
	ls := []cluster.Link{
		{ClusterID: 0, HouseholdID: 0, Partner: "comune", RecordID: "c1", MatchProbability: 0.99},
		{ClusterID: 0, HouseholdID: 0, Partner: "caritas", RecordID: "k1", MatchProbability: 0.99},
		{ClusterID: 1, HouseholdID: 0, Partner: "comune", RecordID: "c2"},
		{ClusterID: 2, HouseholdID: 1, Partner: "caritas", RecordID: "k2"},
	}
	if err := linksfile.Write(links, ls, nil); err != nil {
		t.Fatal(err)
	}
	truth = filepath.Join(dir, "truth.csv")
	body := "partner,record_id,person_id,household_id\ncomune,c1,P1,H1\ncaritas,k1,P1,H1\ncomune,c2,P2,H1\ncaritas,k2,P2,H1\n"
	if err := os.WriteFile(truth, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return links, truth
}

func TestEvalCommand(t *testing.T) {
	links, truth := writeEvalFixture(t)
	t.Run("table", func(t *testing.T) {
		code, out, errOut := runCLI(t, "eval", "--links", links, "--truth", truth)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"records 4: evaluated 4", "person", "household", "pairwise", "b-cubed", "tp 1 fp 0 fn 1"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		code, out, errOut := runCLI(t, "eval", "--links", links, "--truth", truth, "--json")
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var rep eval.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Person.Pairs.Precision != 1 || rep.Person.Pairs.Recall != 0.5 {
			t.Errorf("person pairs = %+v", rep.Person.Pairs)
		}
		// Households: truth {c1,k1,c2,k2} one household, 6 pairs; predicted {c1,k1,c2} + {k2}: 3 pairs.
		if rep.Household == nil || rep.Household.Pairs.TruePositives != 3 || rep.Household.Pairs.FalseNegatives != 3 {
			t.Errorf("household pairs = %+v", rep.Household)
		}
	})
	t.Run("febrl needs no truth file", func(t *testing.T) {
		code, _, errOut := runCLI(t, "eval", "--links", links, "--truth-format", "febrl")
		if code != ExitInput || !strings.Contains(errOut, "ground truth") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
}

func TestEvalUsage(t *testing.T) {
	links, truth := writeEvalFixture(t)
	tests := []struct {
		args []string
		want int
		msg  string
	}{
		{[]string{"eval", "--truth", truth}, ExitUsage, "--links"},
		{[]string{"eval", "--links", links}, ExitUsage, "--truth"},
		{[]string{"eval", "--links", links, "--truth-format", "nope"}, ExitUsage, "--truth-format"},
		{[]string{"eval", "--links", links, "--truth-format", "febrl", "--truth", truth}, ExitUsage, "no --truth"},
		{[]string{"eval", "--links", links, "--truth", truth, "--truth-source", "a.csv"}, ExitUsage, "--truth-source"},
		{[]string{"eval", "--links", truth, "--truth", truth}, ExitInput, "links"},
		{[]string{"eval", "--links", links, "--truth", links}, ExitInput, "links.parquet"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.args...)
			if code != tt.want || !strings.Contains(errOut, tt.msg) {
				t.Fatalf("exit %d, want %d; stderr %q should mention %q", code, tt.want, errOut, tt.msg)
			}
		})
	}
}
