package eval

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/welfare-district/swd/internal/testdirs"
	"github.com/welfare-district/swd/linkage/cluster"
)

// TestFEBRL4TruthOnRealIDs checks the FEBRL convention on the real record
// ids: the true clustering of dataset4a+4b has 5,000 cross-file pairs.
func TestFEBRL4TruthOnRealIDs(t *testing.T) {
	ds := testdirs.SharedDatasets(t)
	var ls []cluster.Link
	for _, name := range []string{"dataset4a", "dataset4b"} {
		f, err := os.Open(filepath.Join(ds, "febrl", name+".csv"))
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			id, _, _ := strings.Cut(sc.Text(), ",")
			ls = append(ls, cluster.Link{Partner: name, RecordID: id})
		}
		f.Close()
	}
	tr := FEBRL()
	for i := range ls {
		l, ok := tr.Lookup(ls[i].Key())
		require.True(t, ok)
		var n int64
		for _, c := range l.Person {
			n = 10*n + int64(c-'0')
		}
		ls[i].ClusterID = n
	}
	rep, err := Evaluate(ls, tr)
	require.NoError(t, err)
	require.Equal(t, 10_000, rep.Evaluated)
	require.Equal(t, int64(5000), rep.Person.Pairs.TruePositives)
	require.Equal(t, Scores{1, 1, 1}, rep.Person.Pairs.Scores)
}

// TestNCVoterSources checks that the ncid truth of the NC voter files
// yields the 50,000 shared persons of the README.
func TestNCVoterSources(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 13 MB")
	}
	ds := testdirs.SharedDatasets(t)
	dir := filepath.Join(ds, "ncvoter-100k")
	tr, err := ReadSources(ParseSources("A="+filepath.Join(dir, "df_A_100000.csv")+",B="+filepath.Join(dir, "df_B_100000.csv")), "ncid")
	require.NoError(t, err)
	ls := make([]cluster.Link, 0, 200_000)
	ids := map[string]int64{}
	for _, r := range tr.records {
		k, l := r.keys[0], r.label
		c, ok := ids[l.Person]
		if !ok {
			c = int64(len(ids))
			ids[l.Person] = c
		}
		ls = append(ls, cluster.Link{Partner: k.Partner, RecordID: k.RecordID, ClusterID: c})
	}
	require.Len(t, ls, 200_000)
	rep, err := Evaluate(ls, tr)
	require.NoError(t, err)
	require.Equal(t, int64(50_000), rep.Person.Pairs.TruePositives)
	require.Zero(t, rep.MissingFromLinks)
}
