package eval

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/cluster"
)

// links builds links rows from "partner/record:cluster:household" strings.
func links(rows ...string) []cluster.Link {
	var out []cluster.Link
	for _, r := range rows {
		parts := strings.Split(r, ":")
		p, id, _ := strings.Cut(parts[0], "/")
		l := cluster.Link{Partner: p, RecordID: id}
		l.ClusterID = int64(parts[1][0] - '0')
		if len(parts) > 2 {
			l.HouseholdID = int64(parts[2][0] - '0')
		}
		out = append(out, l)
	}
	return out
}

func TestCompareKnownAnswer(t *testing.T) {
	// Truth: {a,b,c} {d,e} {f}; predicted: {a,b} {c,d,e} {f}.
	truth := []int64{1, 1, 1, 2, 2, 3}
	pred := []int64{7, 7, 8, 8, 8, 9}
	lv := compare(pred, truth)
	require.Equal(t, PairScores{TruePositives: 2, FalsePositives: 2, FalseNegatives: 2, Scores: Scores{0.5, 0.5, 0.5}}, lv.Pairs)
	require.Equal(t, 3, lv.Clusters.Predicted)
	require.Equal(t, 3, lv.Clusters.True)
	require.Equal(t, 1, lv.Clusters.Exact)
	require.InDelta(t, 1.0/3, lv.Clusters.ExactScores.F1, 1e-12)
	require.InDelta(t, 14.0/18, lv.Clusters.BCubed.Precision, 1e-12)
	require.InDelta(t, 14.0/18, lv.Clusters.BCubed.Recall, 1e-12)
	// Entity 1 is split over 7 and 8; cluster 8 merges entities 1 and 2.
	require.Equal(t, 1, lv.Clusters.Split)
	require.InDelta(t, 1.0/3, lv.Clusters.SplitRate, 1e-12)
	require.Equal(t, 2, lv.Clusters.MaxParts)
	require.Equal(t, 1, lv.Clusters.Merged)
	require.InDelta(t, 1.0/3, lv.Clusters.MergeRate, 1e-12)

	t.Run("perfect", func(t *testing.T) {
		lv := compare([]int64{5, 5, 6}, []int64{0, 0, 1})
		require.Equal(t, Scores{1, 1, 1}, lv.Pairs.Scores)
		require.Equal(t, Scores{1, 1, 1}, lv.Clusters.ExactScores)
		require.Equal(t, Scores{1, 1, 1}, lv.Clusters.BCubed)
	})
	t.Run("nothing linked", func(t *testing.T) {
		lv := compare([]int64{0, 1, 2}, []int64{0, 0, 1})
		require.Equal(t, int64(1), lv.Pairs.FalseNegatives)
		require.Equal(t, 1.0, lv.Pairs.Precision, "0/0 counts as 1")
		require.Equal(t, 0.0, lv.Pairs.Recall)
		require.Equal(t, 0.0, lv.Pairs.F1)
		require.Equal(t, 1, lv.Clusters.Split)
		require.Equal(t, 0, lv.Clusters.Merged)
	})
	t.Run("spread over three", func(t *testing.T) {
		lv := compare([]int64{1, 2, 3, 3}, []int64{0, 0, 0, 4})
		require.Equal(t, 3, lv.Clusters.MaxParts)
		require.Equal(t, 1, lv.Clusters.Merged)
		require.InDelta(t, 1.0/3, lv.Clusters.MergeRate, 1e-12)
	})
}

func TestEvaluateFEBRL(t *testing.T) {
	ls := links(
		"a/rec-1-org:0", "b/rec-1-dup-0:0",
		"a/rec-2-org:1", "b/rec-2-dup-0:2", // missed
		"a/rec-3-org:3", "b/rec-4-dup-0:3", // false link
		"a/not-febrl:4",
	)
	rep, err := Evaluate(ls, FEBRL())
	require.NoError(t, err)
	require.Equal(t, 7, rep.Records)
	require.Equal(t, 6, rep.Evaluated)
	require.Equal(t, 1, rep.NotInTruth)
	require.Nil(t, rep.Household)
	require.Equal(t, int64(1), rep.Person.Pairs.TruePositives)
	require.Equal(t, int64(1), rep.Person.Pairs.FalsePositives)
	require.Equal(t, int64(1), rep.Person.Pairs.FalseNegatives)
}

func TestEvaluateSynthTruthWithHouseholds(t *testing.T) {
	truthCSV := `partner,record_id,person_id,household_id
comune,c1,P1,H1
comune,c2,P2,H1
caritas,k1,P1,H1
caritas,k2,P3,H2
caritas,k9,P9,H9
`
	tr, err := ReadCSV(strings.NewReader(truthCSV), "truth.csv")
	require.NoError(t, err)
	require.True(t, tr.Households)
	ls := links("comune/c1:0:0", "caritas/k1:0:0", "comune/c2:1:0", "caritas/k2:2:1")
	rep, err := Evaluate(ls, tr)
	require.NoError(t, err)
	require.Equal(t, 1, rep.MissingFromLinks, "k9 was never linked")
	require.Equal(t, Scores{1, 1, 1}, rep.Person.Pairs.Scores)
	require.NotNil(t, rep.Household)
	require.Equal(t, Scores{1, 1, 1}, rep.Household.Pairs.Scores)
	require.Equal(t, 4, rep.Person.Clusters.True) // P1 P2 P3 P9

	t.Run("a missing record with a true partner costs recall", func(t *testing.T) {
		tr, err := ReadCSV(strings.NewReader(truthCSV+"acli,a1,P1,H1\n"), "truth.csv")
		require.NoError(t, err)
		rep, err := Evaluate(ls, tr)
		require.NoError(t, err)
		require.Equal(t, int64(2), rep.Person.Pairs.FalseNegatives)
	})
}

func TestTruthReaders(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	a := write("A.csv", "\"voter_reg_num\",\"ncid\",\"last_name\"\n1,\"AA1\",\"X\"\n2,\"AA2\",\"Y\"\n")
	b := write("B.csv", "\"voter_reg_num\",\"ncid\",\"last_name\"\n7,\"AA2\",\"Y\"\n8,\"AA1\",\"X\"\n")
	tests := []struct {
		name  string
		truth func() (*Truth, error)
		key   cluster.RecordKey
		want  string
		found bool
	}{
		{"ncid as record id", func() (*Truth, error) { return ReadSources(ParseSources(a+","+b), "ncid") }, cluster.RecordKey{Partner: "x", RecordID: "AA2"}, "AA2", true},
		{"row numbers ambiguous without partners", func() (*Truth, error) { return ReadSources(ParseSources(a+","+b), "ncid") }, cluster.RecordKey{Partner: "A", RecordID: "1"}, "", false},
		{"row numbers with partners", func() (*Truth, error) { return ReadSources(ParseSources("A="+a+",B="+b), "ncid") }, cluster.RecordKey{Partner: "B", RecordID: "1"}, "AA2", true},
		{"ncvr same id", func() (*Truth, error) { return SameID(), nil }, cluster.RecordKey{Partner: "p3", RecordID: "0123"}, "0123", true},
		{"ncvr wrong header falls back to first column", func() (*Truth, error) {
			return ReadSources([]Source{{Path: write("ocp0.csv", "rec_id,voter_reg_num,x,y\n07546882,kaitlyn,pollick,f,28304\n")}}, "recid")
		}, cluster.RecordKey{Partner: "p", RecordID: "07546882"}, "07546882", true},
		{"rldata identity", func() (*Truth, error) {
			return ReadIdentity(strings.NewReader("\"identity\"\n34\n51\n34\n"), "identity.csv")
		}, cluster.RecordKey{Partner: "rl", RecordID: "3"}, "34", true},
		{"splink", func() (*Truth, error) {
			return ReadSplink(strings.NewReader("unique_id,first_name,cluster\n0,Robert,0\n1,Rob,0\n2,Ann,1\n"), "fake.csv")
		}, cluster.RecordKey{Partner: "s", RecordID: "2"}, "1", true},
		{"febrl", func() (*Truth, error) { return FEBRL(), nil }, cluster.RecordKey{Partner: "b", RecordID: "rec-1070-dup-3"}, "1070", true},
		{"truth csv without partner", func() (*Truth, error) {
			return ReadCSV(strings.NewReader("record_id,entity_id\nr1,E\n"), "t.csv")
		}, cluster.RecordKey{Partner: "any", RecordID: "r1"}, "E", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := tt.truth()
			require.NoError(t, err)
			l, ok := tr.Lookup(tt.key)
			require.Equal(t, tt.found, ok)
			require.Equal(t, tt.want, l.Person)
		})
	}
}

func TestTruthErrorsNameFileNotValues(t *testing.T) {
	_, err := ReadCSV(strings.NewReader("partner,record_id\nSECRETP,SECRETR\n"), "truth.csv")
	require.True(t, errors.Is(err, base.ErrInvalidInput))
	require.Contains(t, err.Error(), "truth.csv")
	require.Contains(t, err.Error(), "person_id")
	_, err = ReadSplink(strings.NewReader("unique_id,name\n1,SECRET\n"), "s.csv")
	require.True(t, errors.Is(err, base.ErrInvalidInput))
	require.NotContains(t, err.Error(), "SECRET")
	_, err = ReadCSV(strings.NewReader("record_id,person_id\n\"SECRET,1\n"), "bad.csv")
	require.True(t, errors.Is(err, base.ErrInvalidInput))
	require.NotContains(t, err.Error(), "SECRET")

	_, err = Evaluate(links("a/x:0"), FEBRL())
	require.True(t, errors.Is(err, base.ErrInvalidInput))
}
